namespace Analytics.Health;

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

/// <summary>The process-health metrics sampled, by their stored names.</summary>
public static class HealthMetricNames
{
    /// <summary>CPU used by the process since the previous sample, in percent of one core (so up to 100 × cores).</summary>
    public const string CpuPercent = "cpu_percent";

    /// <summary>The process's working set, in bytes (<see cref="Environment.WorkingSet"/>).</summary>
    public const string WorkingSetBytes = "working_set_bytes";

    /// <summary>Bytes allocated on the managed heap and not yet collected (<see cref="GC.GetTotalMemory(bool)"/>).</summary>
    public const string GcHeapBytes = "gc_heap_bytes";

    /// <summary>Garbage collections (of any generation) since the previous sample.</summary>
    public const string GcCollections = "gc_collections";

    /// <summary>Work items waiting in the thread pool's queues (<see cref="ThreadPool.PendingWorkItemCount"/>).</summary>
    public const string ThreadPoolQueueLength = "threadpool_queue_length";

    /// <summary>Threads in the thread pool (<see cref="ThreadPool.ThreadCount"/>).</summary>
    public const string ThreadPoolThreads = "threadpool_threads";

    /// <summary>Gets every metric name, in the order the API lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [CpuPercent, WorkingSetBytes, GcHeapBytes, GcCollections, ThreadPoolQueueLength, ThreadPoolThreads];
}

/// <summary>
/// Where process-health rollups are kept, by a store that implements this beside <see cref="IAnalyticsStore"/>.
/// <see cref="IAnalyticsStore.PurgeRollupsAsync"/> purges them with the other rollups.
/// </summary>
public interface IHealthMetricsStore
{
    /// <summary>Adds samples to the stored rollups with the same keys, in one transaction.</summary>
    /// <param name="rollups">The rows to add; one key appears at most once.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task AddHealthRollupsAsync(IReadOnlyList<HealthRollup> rollups, CancellationToken cancellationToken);

    /// <summary>Reads the rollups of one granularity whose bucket starts in [from, to), optionally of one instance.</summary>
    /// <param name="granularity">The granularity.</param>
    /// <param name="from">The inclusive lower bound of the bucket starts.</param>
    /// <param name="to">The exclusive upper bound of the bucket starts.</param>
    /// <param name="instance">The instance to read, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<HealthRollup>> ReadHealthRollupsAsync(Granularity granularity, DateTimeOffset from, DateTimeOffset to, string? instance, CancellationToken cancellationToken);
}
