using Analytics.Storage;

namespace Analytics;

/// <summary>One error group with its recent occurrences: <c>GET {prefix}/api/errors/{fingerprint}</c>.</summary>
public sealed record ErrorDetail
{
    /// <summary>Gets the group's stored state: counts since it was first seen, severity, resolution.</summary>
    public required ErrorGroupState Group { get; init; }

    /// <summary>Gets the stack trace of the most recent occurrence that has one (sanitized), or <see langword="null"/>.</summary>
    public string? StackTrace { get; init; }

    /// <summary>Gets the most recent occurrences, newest first.</summary>
    public required IReadOnlyList<ErrorOccurrence> Occurrences { get; init; }
}
