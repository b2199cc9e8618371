namespace Analytics;

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
