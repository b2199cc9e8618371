namespace Analytics.Storage;

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
    public static IReadOnlyList<string> All { get; } =
        [CpuPercent, WorkingSetBytes, GcHeapBytes, GcCollections, ThreadPoolQueueLength, ThreadPoolThreads];
}
