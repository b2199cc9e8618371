namespace Analytics.AspNetCore;

/// <summary>Shortens captured text (paths, user agents, exception messages and stack traces) to a stored limit.</summary>
internal static class TextLimit
{
    /// <summary>
    /// Returns at most <paramref name="maxLength"/> UTF-16 units of <paramref name="value"/>, one fewer when the cut
    /// would fall inside a surrogate pair: half a pair is not text any more, and PostgreSQL refuses it, with the whole
    /// batch that holds it.
    /// </summary>
    public static string Truncate(string value, int maxLength) =>
        value.Length <= maxLength ? value : value[..(char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength)];
}
