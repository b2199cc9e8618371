namespace Analytics;

/// <summary>The traffic of one release (<see cref="RequestAnalyticsOptions.Release"/>) in the retained data.</summary>
public sealed record ReleaseStats
{
    /// <summary>Gets the release name.</summary>
    public required string Release { get; init; }

    /// <summary>Gets the start of the first bucket in which the release served a request.</summary>
    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>Gets the end of the last bucket in which the release served a request.</summary>
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>Gets the number of requests it served.</summary>
    public required long Count { get; init; }

    /// <summary>Gets the share of them that failed, from 0 to 1.</summary>
    public required double ErrorRate { get; init; }

    /// <summary>Gets the 95th percentile latency, in milliseconds.</summary>
    public required double P95 { get; init; }
}
