using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>What a query reads: one granularity, the range widened to whole buckets, and the filters.</summary>
internal sealed record QueryPlan(Granularity Granularity, DateTimeOffset From, DateTimeOffset To, int BucketCount, QueryFilters Filters)
{
    public RollupQuery Rollups(bool includeSketches, bool includeCardinality = false) => new()
    {
        Granularity = Granularity,
        From = From,
        To = To,
        Route = Filters.Route,
        Method = Filters.Method,
        MinStatusCode = Filters.Status?.Min,
        MaxStatusCode = Filters.Status?.Max,
        Environment = Filters.Environment,
        Instance = Filters.Instance,
        Kind = Filters.Kind,
        Release = Filters.Release,
        Consumer = Filters.Consumer,
        IncludeSketches = includeSketches,
        IncludeCardinality = includeCardinality,
    };

    /// <summary>Gets the index of the bucket, or -1 for a row outside the range (which a correct store never returns).</summary>
    public int BucketIndex(DateTimeOffset bucketStart) =>
        bucketStart >= From && bucketStart < To ? (int)((bucketStart - From).Ticks / Granularity.BucketSize().Ticks) : -1;

    public DateTimeOffset BucketTime(int index) => From + (Granularity.BucketSize() * index);

    /// <summary>Gets the end of the range the answer covers: the end of the last bucket, or now if that is earlier.</summary>
    public DateTimeOffset CoveredTo(DateTimeOffset now) => now > From && now < To ? now : To;
}
