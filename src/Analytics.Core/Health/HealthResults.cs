namespace Analytics;

/// <summary>Process health over time, per instance: <c>GET {prefix}/api/health-metrics</c>.</summary>
public sealed record HealthMetrics
{
    /// <summary>Gets the bucket width of the points.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets one series per instance that sampled in the range, by instance name.</summary>
    public required IReadOnlyList<HealthSeries> Instances { get; init; }
}

/// <summary>The health of one instance over time.</summary>
public sealed record HealthSeries
{
    /// <summary>Gets the instance name (empty when the host has none).</summary>
    public required string Instance { get; init; }

    /// <summary>Gets the buckets that have samples, oldest first.</summary>
    public required IReadOnlyList<HealthPoint> Points { get; init; }
}

/// <summary>The samples of one bucket; a metric without samples in it is <see langword="null"/>.</summary>
public sealed record HealthPoint
{
    /// <summary>Gets the start of the bucket.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the CPU used, in percent of one core (up to 100 × cores), per sampling interval.</summary>
    public HealthValue? CpuPercent { get; init; }

    /// <summary>Gets the working set in bytes.</summary>
    public HealthValue? WorkingSetBytes { get; init; }

    /// <summary>Gets the managed heap in bytes.</summary>
    public HealthValue? GcHeapBytes { get; init; }

    /// <summary>Gets the garbage collections per sampling interval.</summary>
    public HealthValue? GcCollections { get; init; }

    /// <summary>Gets the work items waiting in the thread pool.</summary>
    public HealthValue? ThreadPoolQueueLength { get; init; }

    /// <summary>Gets the thread pool's threads.</summary>
    public HealthValue? ThreadPoolThreads { get; init; }
}

/// <summary>The minimum, mean and maximum of a metric's samples in a bucket.</summary>
public sealed record HealthValue
{
    /// <summary>Gets the smallest sample.</summary>
    public required double Min { get; init; }

    /// <summary>Gets the mean of the samples.</summary>
    public required double Avg { get; init; }

    /// <summary>Gets the largest sample.</summary>
    public required double Max { get; init; }

    /// <summary>Gets how many samples there were.</summary>
    public required long Samples { get; init; }
}
