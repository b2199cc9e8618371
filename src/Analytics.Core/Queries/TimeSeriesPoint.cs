namespace Analytics;

/// <summary>
/// One bucket of a <see cref="TimeSeries"/>. Latencies are in milliseconds, 0 for an empty bucket; like
/// <see cref="AnalyticsOverview.Latency"/>, they leave long-lived requests out unless a kind is asked for.
/// </summary>
public sealed record TimeSeriesPoint
{
    /// <summary>Gets the UTC start of the bucket.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the number of requests.</summary>
    public required long Count { get; init; }

    /// <summary>Gets the number of failed requests.</summary>
    public required long Errors { get; init; }

    /// <summary>Gets the mean latency.</summary>
    public required double Avg { get; init; }

    /// <summary>Gets the median latency.</summary>
    public required double P50 { get; init; }

    /// <summary>Gets the 95th percentile latency.</summary>
    public required double P95 { get; init; }

    /// <summary>Gets the 99th percentile latency.</summary>
    public required double P99 { get; init; }

    /// <summary>Gets the estimated number of distinct user ids in the bucket.</summary>
    public long UniqueUsers { get; init; }

    /// <summary>Gets the estimated number of distinct client addresses in the bucket.</summary>
    public long UniqueClients { get; init; }
}
