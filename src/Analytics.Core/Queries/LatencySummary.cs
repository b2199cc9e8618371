namespace Analytics;

/// <summary>Latency statistics in milliseconds; all 0 when there were no requests.</summary>
public sealed record LatencySummary
{
    /// <summary>Gets the exact mean.</summary>
    public required double Avg { get; init; }

    /// <summary>Gets the median, within 1 % of the exact value.</summary>
    public required double P50 { get; init; }

    /// <summary>Gets the 95th percentile, within 1 % of the exact value.</summary>
    public required double P95 { get; init; }

    /// <summary>Gets the 99th percentile, within 1 % of the exact value.</summary>
    public required double P99 { get; init; }

    /// <summary>Gets the exact maximum.</summary>
    public required double Max { get; init; }
}
