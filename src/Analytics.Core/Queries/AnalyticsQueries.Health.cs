using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>Process health: answered from the store's <see cref="StoreCapabilities.HealthMetrics"/>, or empty without it.</summary>
internal sealed partial class AnalyticsQueries
{
    public async Task<HealthMetrics> GetHealthMetricsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default)
    {
        var plan = Plan(query, perBucket: true, requests: false);
        if (_health is not { } health)
        {
            return new HealthMetrics { Granularity = plan.Granularity, Instances = [] };
        }

        var rows = await health.ReadHealthRollupsAsync(
            plan.Granularity, plan.From, plan.To, plan.Filters.Instance, cancellationToken).ConfigureAwait(false);
        static HealthValue? Value(IEnumerable<HealthRollup> rows, string metric) =>
            rows.FirstOrDefault(r => r.Metric == metric) is { Count: > 0 } r
                ? new HealthValue { Min = r.Min, Avg = r.Sum / r.Count, Max = r.Max, Samples = r.Count }
                : null;
        return new HealthMetrics
        {
            Granularity = plan.Granularity,
            Instances = rows
                .GroupBy(r => r.Instance, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(instance => new HealthSeries
                {
                    Instance = instance.Key,
                    Points = instance.GroupBy(r => r.BucketStart).OrderBy(b => b.Key).Select(bucket => new HealthPoint
                    {
                        Time = bucket.Key,
                        CpuPercent = Value(bucket, HealthMetricNames.CpuPercent),
                        WorkingSetBytes = Value(bucket, HealthMetricNames.WorkingSetBytes),
                        GcHeapBytes = Value(bucket, HealthMetricNames.GcHeapBytes),
                        GcCollections = Value(bucket, HealthMetricNames.GcCollections),
                        ThreadPoolQueueLength = Value(bucket, HealthMetricNames.ThreadPoolQueueLength),
                        ThreadPoolThreads = Value(bucket, HealthMetricNames.ThreadPoolThreads),
                    }).ToArray(),
                })
                .ToArray(),
        };
    }
}
