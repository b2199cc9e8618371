using System.Diagnostics;
using Analytics.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Health;

/// <summary>
/// Samples this process's health every <see cref="RequestAnalyticsOptions.HealthInterval"/> (the first at start) from
/// the runtime's own counters, and adds each sample to the minute, hour and day rollups of this instance. A store
/// that does not keep health metrics, or one failing now, costs a sample, never the host.
/// </summary>
internal sealed partial class HealthSampler : BackgroundService
{
    private readonly IHealthMetricsStore? _store;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<HealthSampler> _logger;
    private readonly TimeSpan _interval;
    private readonly string _instance;
    private TimeSpan _lastCpu;
    private long _lastTimestamp;
    private int _lastCollections;

    public HealthSampler(
        StoreCapabilities capabilities,
        IOptions<RequestAnalyticsOptions> options,
        HostIdentity identity,
        TimeProvider timeProvider,
        ILogger<HealthSampler> logger)
    {
        _store = capabilities.HealthMetrics;
        _timeProvider = timeProvider;
        _logger = logger;
        _interval = options.Value.HealthInterval;
        _instance = identity.Instance ?? string.Empty;

        // The first sample's CPU and collections are those since the host built this service (its startup).
        _lastCpu = Environment.CpuUsage.TotalTime;
        _lastTimestamp = Stopwatch.GetTimestamp();
        _lastCollections = GC.CollectionCount(0);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_store is null || _interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(_interval, _timeProvider);
        do
        {
            try
            {
                await _store.AddHealthRollupsAsync(Rollups(Sample(), _timeProvider.GetUtcNow()), stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogSampleFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Reads the counters now; CPU and collections are the change since the previous sample.</summary>
    internal IReadOnlyList<(string Metric, double Value)> Sample()
    {
        long now = Stopwatch.GetTimestamp();
        var cpu = Environment.CpuUsage.TotalTime;
        double elapsed = Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        double cpuPercent = elapsed > 0 ? (cpu - _lastCpu).TotalSeconds / elapsed * 100 : 0;
        int collections = GC.CollectionCount(0); // every collection includes generation 0
        var sample = new (string, double)[]
        {
            (HealthMetricNames.CpuPercent, Math.Clamp(cpuPercent, 0, 100.0 * Environment.ProcessorCount)),
            (HealthMetricNames.WorkingSetBytes, Environment.WorkingSet),
            (HealthMetricNames.GcHeapBytes, GC.GetTotalMemory(forceFullCollection: false)),
            (HealthMetricNames.GcCollections, collections - _lastCollections),
            (HealthMetricNames.ThreadPoolQueueLength, ThreadPool.PendingWorkItemCount),
            (HealthMetricNames.ThreadPoolThreads, ThreadPool.ThreadCount),
        };
        _lastCpu = cpu;
        _lastTimestamp = now;
        _lastCollections = collections;
        return sample;
    }

    /// <summary>One sample as a row per metric and granularity.</summary>
    internal List<HealthRollup> Rollups(IReadOnlyList<(string Metric, double Value)> sample, DateTimeOffset at)
    {
        var rows = new List<HealthRollup>(sample.Count * 3);
        foreach (var granularity in (ReadOnlySpan<Granularity>)[Granularity.Minute, Granularity.Hour, Granularity.Day])
        {
            foreach (var (metric, value) in sample)
            {
                rows.Add(new HealthRollup
                {
                    Granularity = granularity, BucketStart = granularity.Floor(at), Instance = _instance, Metric = metric,
                    Count = 1, Sum = value, Min = value, Max = value,
                });
            }
        }

        return rows;
    }
}
