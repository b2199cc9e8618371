
namespace Analytics;

/// <summary>
/// What to ask <see cref="IAnalyticsQueries"/>: a time range, optional filters, and for some queries a granularity, a
/// limit or a page.
/// </summary>
/// <remarks>
/// Rollups answer in whole buckets, so a range is widened to the buckets it touches: the answers say which range they
/// cover. Filters are exact matches; an empty or white-space filter is the same as none.
/// </remarks>
public sealed record AnalyticsQuery
{
    /// <summary>Gets the inclusive start of the range. Must not be before 1970.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>Gets the exclusive end of the range. Must not be before <see cref="From"/>.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>Gets the route template to match, or <see langword="null"/> for every route.</summary>
    public string? Route { get; init; }

    /// <summary>Gets the HTTP method to match (any case), or <see langword="null"/> for every method.</summary>
    public string? Method { get; init; }

    /// <summary>
    /// Gets the status code (<c>"404"</c>) or status class (<c>"5xx"</c>) to match, or <see langword="null"/> for
    /// every status.
    /// </summary>
    public string? Status { get; init; }

    /// <summary>
    /// Gets the request kind to match, or <see langword="null"/> for every kind. Without one, long-lived requests
    /// (<see cref="RequestKind.WebSocket"/>, <see cref="RequestKind.ServerSentEvents"/>) are counted but kept out of the
    /// latency figures, and summed up in <see cref="AnalyticsOverview.Connections"/>; with one, the latency figures are
    /// that kind's, connection lifetimes included when it is long-lived. Custom events and process health have no kind
    /// and ignore it.
    /// </summary>
    public RequestKind? Kind { get; init; }

    /// <summary>Gets the environment to match, or <see langword="null"/> for every environment.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance to match, or <see langword="null"/> for every instance.</summary>
    public string? Instance { get; init; }

    /// <summary>
    /// Gets the API consumer to match (<see cref="RequestRecord.Consumer"/>, or <c>(other)</c>), or
    /// <see langword="null"/> for every consumer. Requests are counted per consumer in their own rollups
    /// (<see cref="Storage.IConsumerRollupStore"/>); reads without a consumer dimension (custom events, process health, error
    /// groups) throw <see cref="ArgumentException"/> naming it.
    /// </summary>
    public string? Consumer { get; init; }

    /// <summary>Gets the release to match (<see cref="RequestAnalyticsOptions.Release"/>), or <see langword="null"/> for every release.</summary>
    public string? Release { get; init; }

    /// <summary>
    /// Gets what to compare the answer with (<see cref="IAnalyticsQueries.GetOverviewAsync"/>,
    /// <see cref="IAnalyticsQueries.GetRoutesAsync"/> and <see cref="IAnalyticsQueries.GetConsumersAsync"/>): their items
    /// then carry <c>Previous</c>. The default is <see cref="AnalyticsComparison.None"/>.
    /// </summary>
    public AnalyticsComparison Compare { get; init; }

    /// <summary>
    /// Gets the granularity to read, or <see langword="null"/> to let the query choose the coarsest that answers the
    /// range: minutes up to 6 hours, hours up to 14 days, days beyond, and a coarser one when the range starts before the
    /// finer one's retention.
    /// </summary>
    public Granularity? Granularity { get; init; }

    /// <summary>
    /// Gets the custom-event name to match (<see cref="IAnalyticsQueries.GetEventsAsync"/> only), or
    /// <see langword="null"/> for every name.
    /// </summary>
    public string? EventName { get; init; }

    /// <summary>
    /// Gets the most items to return, from 1 to 1 000, or <see langword="null"/> for the query's default (20 routes,
    /// 50 error groups, 100 requests).
    /// </summary>
    public int? Limit { get; init; }

    /// <summary>
    /// Gets the <c>next</c> of the previous page of <see cref="IAnalyticsQueries.GetRequestsAsync"/>, or
    /// <see langword="null"/> for the newest.
    /// </summary>
    public long? Before { get; init; }
}
