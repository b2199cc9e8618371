using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>Event rollups of one name added together, with counts per bucket kept sparse.</summary>
internal sealed class EventTotals
{
    private readonly Dictionary<int, (long Count, long Failures)> _buckets = [];
    private LatencySketch? _duration;
    private long _successes;
    private long _failures;

    public long Count { get; private set; }

    public void Add(EventRollup row, int bucket)
    {
        Count += row.Count;
        _successes += row.Successes;
        _failures += row.Failures;
        var (count, failures) = _buckets.GetValueOrDefault(bucket);
        _buckets[bucket] = (count + row.Count, failures + row.Failures);
        if (row.Duration is { } duration)
        {
            (_duration ??= new LatencySketch()).Merge(duration);
        }
    }

    public EventSeries ToSeries(string name, QueryPlan plan)
    {
        var points = new EventPoint[plan.BucketCount];
        for (int i = 0; i < points.Length; i++)
        {
            var (count, failures) = _buckets.GetValueOrDefault(i);
            points[i] = new EventPoint { Time = plan.BucketTime(i), Count = count, Failures = failures };
        }

        var d = _duration;
        return new EventSeries
        {
            Name = name,
            Count = Count,
            Successes = _successes,
            Failures = _failures,
            Avg = d is null ? null : AnalyticsQueries.ToMilliseconds(d.Sum / d.Count),
            P50 = d is null ? null : AnalyticsQueries.ToMilliseconds(d.GetQuantile(0.50)),
            P95 = d is null ? null : AnalyticsQueries.ToMilliseconds(d.GetQuantile(0.95)),
            P99 = d is null ? null : AnalyticsQueries.ToMilliseconds(d.GetQuantile(0.99)),
            Points = points,
        };
    }
}
