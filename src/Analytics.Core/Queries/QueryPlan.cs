using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>The normalized filters of a query.</summary>
internal sealed record QueryFilters(string? Route, string? Method, StatusFilter? Status, string? Environment, string? Instance, RequestKind? Kind);

/// <summary>What a query reads: one granularity, the range widened to whole buckets, and the filters.</summary>
internal sealed record QueryPlan(Granularity Granularity, DateTimeOffset From, DateTimeOffset To, int BucketCount, QueryFilters Filters)
{
    public RollupQuery Rollups(bool includeSketches, bool includeCardinality = false) => new()
    {
        Granularity = Granularity,
        From = From,
        To = To,
        Route = Filters.Route,
        Method = Filters.Method,
        MinStatusCode = Filters.Status?.Min,
        MaxStatusCode = Filters.Status?.Max,
        Environment = Filters.Environment,
        Instance = Filters.Instance,
        Kind = Filters.Kind,
        IncludeSketches = includeSketches,
        IncludeCardinality = includeCardinality,
    };

    /// <summary>Gets the index of the bucket, or -1 for a row outside the range (which a correct store never returns).</summary>
    public int BucketIndex(DateTimeOffset bucketStart) =>
        bucketStart >= From && bucketStart < To ? (int)((bucketStart - From).Ticks / Granularity.BucketSize().Ticks) : -1;

    public DateTimeOffset BucketTime(int index) => From + (Granularity.BucketSize() * index);
}

/// <summary>
/// Request rollups added together: exact counts and sums, merged sketches. Every row is counted; a long-lived row's
/// durations (connection lifetimes) go to the connection figures instead of the latency ones, unless the query chose a
/// kind.
/// </summary>
/// <param name="kindChosen">Whether the query asked for one kind: then every row it reads is that kind's, and their
/// durations are its latency even when the kind is long-lived.</param>
internal sealed class RequestTotals(bool kindChosen = false)
{
    public static readonly RequestTotals Empty = new();

    private LatencySketch? _latency;
    private CardinalitySketch? _users;
    private CardinalitySketch? _clients;
    private long _durationSum;
    private long _timed;
    private long _connectionDurationSum;
    private long _connectionMax;

    public long Count { get; private set; }

    public long Errors { get; private set; }

    public long RequestBytes { get; private set; }

    public long ResponseBytes { get; private set; }

    /// <summary>Gets the longest duration counted as latency, in microseconds.</summary>
    public long Max { get; private set; }

    /// <summary>Gets the long-lived requests among <see cref="Count"/>.</summary>
    public long Connections { get; private set; }

    public double ErrorRate => Count == 0 ? 0 : (double)Errors / Count;

    /// <summary>Gets the mean of the durations counted as latency, in milliseconds.</summary>
    public double Avg => _timed == 0 ? 0 : AnalyticsQueries.ToMilliseconds((double)_durationSum / _timed);

    public ConnectionSummary ConnectionSummary => Connections == 0
        ? ConnectionSummary.None
        : new ConnectionSummary
        {
            Count = Connections,
            AvgDuration = AnalyticsQueries.ToMilliseconds((double)_connectionDurationSum / Connections),
            MaxDuration = AnalyticsQueries.ToMilliseconds(_connectionMax),
        };

    public void Add(RequestRollup row)
    {
        Count += row.Count;
        Errors += row.Errors;
        RequestBytes += row.RequestBytes;
        ResponseBytes += row.ResponseBytes;
        bool longLived = row.Kind.IsLongLived();
        if (longLived)
        {
            Connections += row.Count;
            _connectionDurationSum += row.DurationSumMicroseconds;
            _connectionMax = Math.Max(_connectionMax, row.DurationMaxMicroseconds);
        }

        if (!longLived || kindChosen)
        {
            AddLatency(row);
        }

        if (row.Users is { } users)
        {
            (_users ??= new CardinalitySketch()).Merge(users);
        }

        if (row.Clients is { } clients)
        {
            (_clients ??= new CardinalitySketch()).Merge(clients);
        }
    }

    /// <summary>Gets the estimated distinct users of the rows added (read with <see cref="RollupQuery.IncludeCardinality"/>).</summary>
    public long UniqueUsers => _users?.Estimate() ?? 0;

    /// <summary>Gets the estimated distinct clients of the rows added.</summary>
    public long UniqueClients => _clients?.Estimate() ?? 0;

    public double Quantile(double q) => _latency is { } latency ? AnalyticsQueries.ToMilliseconds(latency.GetQuantile(q)) : 0;

    private void AddLatency(RequestRollup row)
    {
        _timed += row.Count;
        _durationSum += row.DurationSumMicroseconds;
        Max = Math.Max(Max, row.DurationMaxMicroseconds);
        if (row.Latency is { } latency)
        {
            (_latency ??= new LatencySketch()).Merge(latency);
        }
    }
}

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
