namespace Analytics;

/// <summary>Process health over time, per instance: <c>GET {prefix}/api/health-metrics</c>.</summary>
public sealed record HealthMetrics
{
    /// <summary>Gets the bucket width of the points.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets one series per instance that sampled in the range, by instance name.</summary>
    public required IReadOnlyList<HealthSeries> Instances { get; init; }
}
