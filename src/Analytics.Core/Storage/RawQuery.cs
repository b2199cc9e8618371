namespace Analytics.Storage;

/// <summary>
/// A page of raw rows: a time range and optional exact filters, newest first (by timestamp, then id), with keyset paging.
/// </summary>
public sealed record RawQuery
{
    /// <summary>Gets the inclusive start of the range, or <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets the exclusive end of the range, or <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>
    /// Gets the id of the last row of the previous page (its <c>next</c>): the page continues after it, or
    /// <see langword="null"/> for the newest.
    /// </summary>
    public long? Before { get; init; }

    /// <summary>Gets the route template to match exactly (requests only), or <see langword="null"/> for every route.</summary>
    public string? Route { get; init; }

    /// <summary>Gets the HTTP method to match exactly, upper case (requests only), or <see langword="null"/> for every method.</summary>
    public string? Method { get; init; }

    /// <summary>Gets the lowest status code to include (requests only), or <see langword="null"/> for no lower bound.</summary>
    public int? MinStatusCode { get; init; }

    /// <summary>Gets the highest status code to include (requests only), or <see langword="null"/> for no upper bound.</summary>
    public int? MaxStatusCode { get; init; }

    /// <summary>Gets the environment to match exactly, or <see langword="null"/> for every environment.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance to match exactly, or <see langword="null"/> for every instance.</summary>
    public string? Instance { get; init; }

    /// <summary>Gets the request kind to match exactly (requests only), or <see langword="null"/> for every kind.</summary>
    public RequestKind? Kind { get; init; }

    /// <summary>Gets the consumer to match exactly, or <see langword="null"/> for every consumer.</summary>
    public string? Consumer { get; init; }

    /// <summary>Gets the release to match exactly, or <see langword="null"/> for every release.</summary>
    public string? Release { get; init; }

    /// <summary>Gets the event name to match exactly (events only), or <see langword="null"/> for every name.</summary>
    public string? EventName { get; init; }

    /// <summary>Gets the most rows to return, from 1 to 10 000. The default is 100.</summary>
    public int Limit { get; init; } = 100;
}
