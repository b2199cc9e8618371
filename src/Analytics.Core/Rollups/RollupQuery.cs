namespace Analytics.Storage;

/// <summary>
/// Which rollup rows a store reads: one granularity, a range of bucket starts, and optional exact filters. A store
/// applies every filter that is set and returns rows in no particular order.
/// </summary>
public sealed record RollupQuery
{
    /// <summary>Gets the granularity to read.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets the inclusive lower bound of the bucket starts.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>Gets the exclusive upper bound of the bucket starts.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>Gets the route template to match exactly, or <see langword="null"/> for every route.</summary>
    public string? Route { get; init; }

    /// <summary>Gets the HTTP method to match exactly (upper case), or <see langword="null"/> for every method.</summary>
    public string? Method { get; init; }

    /// <summary>Gets the lowest status code to include, or <see langword="null"/> for no lower bound.</summary>
    public int? MinStatusCode { get; init; }

    /// <summary>Gets the highest status code to include, or <see langword="null"/> for no upper bound.</summary>
    public int? MaxStatusCode { get; init; }

    /// <summary>Gets the environment to match exactly, or <see langword="null"/> for every environment.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance to match exactly, or <see langword="null"/> for every instance.</summary>
    public string? Instance { get; init; }

    /// <summary>
    /// Gets the request kind to match exactly (request and error rollups only), or <see langword="null"/> for every kind.
    /// </summary>
    public RequestKind? Kind { get; init; }

    /// <summary>
    /// Gets the release to match exactly (request rollups and per-consumer rollups), or <see langword="null"/> for every
    /// release.
    /// </summary>
    public string? Release { get; init; }

    /// <summary>
    /// Gets the consumer to match exactly (per-consumer rollups only, <see cref="IConsumerRollupStore"/>), or
    /// <see langword="null"/> for every consumer. Request rollups have no consumer and ignore it.
    /// </summary>
    public string? Consumer { get; init; }

    /// <summary>Gets the event name to match exactly (event rollups only), or <see langword="null"/> for every name.</summary>
    public string? EventName { get; init; }

    /// <summary>
    /// Gets whether to read the sketches. Decoding them is most of the cost of a read, so queries that need only counts
    /// leave this off. The default is <see langword="false"/>.
    /// </summary>
    public bool IncludeSketches { get; init; }

    /// <summary>
    /// Gets whether to read the distinct-user and distinct-client sketches (<see cref="RequestRollup.Users"/>,
    /// <see cref="RequestRollup.Clients"/>). The default is <see langword="false"/>.
    /// </summary>
    public bool IncludeCardinality { get; init; }

    /// <summary>
    /// Gets whether the caller only adds up the rows of each bucket and reads no key of a row but its bucket, kind and
    /// status class (request rollups) or its bucket, kind and consumer (per-consumer rollups,
    /// <see cref="IConsumerRollupStore"/>). A store may then answer with rows already summed over every other key: the
    /// same totals from fewer rows. Summed request rows keep their status class as their status, the class times 100
    /// (500 for every 5xx), because the overview's Apdex weighs each row's latency by its successful share; their
    /// route, method, environment, instance and release are empty. Summed per-consumer rows have those empty and
    /// status 0. Filters still apply. The default is <see langword="false"/>.
    /// </summary>
    public bool BucketTotals { get; init; }

    /// <summary>
    /// Gets whether the caller only adds up the rows of each bucket and release and reads no key of a row but its
    /// bucket, kind and release (request rollups only): <see cref="BucketTotals"/> with the release kept. A store may
    /// then answer with rows already summed over every other key, with route, method, environment and instance empty
    /// and status 0. Filters still apply. The default is <see langword="false"/>.
    /// </summary>
    public bool BucketTotalsByRelease { get; init; }
}
