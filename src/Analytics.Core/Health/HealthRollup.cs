namespace Analytics.Storage;

/// <summary>
/// The samples of one process-health metric in one bucket on one instance: how many, their sum, minimum and maximum.
/// A store adds a written row to the stored one with the same key (counts and sums add, extremes combine).
/// </summary>
public sealed record HealthRollup
{
    /// <summary>Gets the bucket width.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets the UTC start of the bucket.</summary>
    public required DateTimeOffset BucketStart { get; init; }

    /// <summary>Gets the instance sampled; empty when the host has none.</summary>
    public required string Instance { get; init; }

    /// <summary>Gets the metric, one of <see cref="HealthMetricNames"/>.</summary>
    public required string Metric { get; init; }

    /// <summary>Gets the number of samples.</summary>
    public required long Count { get; init; }

    /// <summary>Gets the sum of the samples.</summary>
    public required double Sum { get; init; }

    /// <summary>Gets the smallest sample.</summary>
    public required double Min { get; init; }

    /// <summary>Gets the largest sample.</summary>
    public required double Max { get; init; }
}
