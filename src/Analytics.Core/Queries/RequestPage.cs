namespace Analytics;

/// <summary>A page of the raw request log.</summary>
public sealed record RequestPage
{
    /// <summary>Gets the requests, newest first.</summary>
    public required IReadOnlyList<RequestLogEntry> Items { get; init; }

    /// <summary>Gets the value of <see cref="AnalyticsQuery.Before"/> that reads the next page, or <see langword="null"/> on the last page.</summary>
    public long? Next { get; init; }
}
