namespace Analytics;

/// <summary>The health of one instance over time.</summary>
public sealed record HealthSeries
{
    /// <summary>Gets the instance name (empty when the host has none).</summary>
    public required string Instance { get; init; }

    /// <summary>Gets the buckets that have samples, oldest first.</summary>
    public required IReadOnlyList<HealthPoint> Points { get; init; }
}
