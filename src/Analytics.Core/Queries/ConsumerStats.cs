namespace Analytics;

/// <summary>
/// The traffic of one API consumer (<see cref="RequestRecord.Consumer"/>). Latencies are in milliseconds and, like
/// <see cref="RouteStats"/>, leave long-lived requests out unless a kind is asked for.
/// </summary>
public sealed record ConsumerStats
{
    /// <summary>Gets the consumer name, or <c>(other)</c> for the consumers beyond the per-bucket limit.</summary>
    public required string Consumer { get; init; }

    /// <summary>Gets the number of requests.</summary>
    public required long Count { get; init; }

    /// <summary>Gets the number of failed requests.</summary>
    public required long Errors { get; init; }

    /// <summary>Gets the share of failed requests, from 0 to 1.</summary>
    public required double ErrorRate { get; init; }

    /// <summary>Gets the mean latency.</summary>
    public required double Avg { get; init; }

    /// <summary>Gets the 95th percentile latency.</summary>
    public required double P95 { get; init; }

    /// <summary>Gets the 99th percentile latency.</summary>
    public required double P99 { get; init; }

    /// <summary>Gets the end of the last bucket in which the consumer made a request (at most the end of the range).</summary>
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>
    /// Gets the same consumer's figures in the compared range (<see cref="AnalyticsQuery.Compare"/>), or
    /// <see langword="null"/> without a comparison or when it made no request then.
    /// </summary>
    public ConsumerStats? Previous { get; init; }
}
