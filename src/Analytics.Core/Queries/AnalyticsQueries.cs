using Analytics.ServiceLevels;
using Analytics.Storage;
using Microsoft.Extensions.Options;

namespace Analytics.Queries;

/// <summary>
/// Answers <see cref="IAnalyticsQueries"/> from any <see cref="IAnalyticsStore"/>: the store filters rollup rows, this
/// class validates the query, chooses the granularity and does the arithmetic, so every store answers alike.
/// </summary>
internal sealed partial class AnalyticsQueries : IAnalyticsQueries
{
    // A forced minute granularity over a long range would build an answer of millions of points; two weeks of minutes
    // (20 160) is the most any dashboard chart can show.
    internal const int MaxBuckets = 20_160;
    internal const int MaxLimit = 1_000;

    private static readonly TimeSpan MinuteRangeLimit = TimeSpan.FromHours(6);
    private static readonly TimeSpan HourRangeLimit = TimeSpan.FromDays(14);
    private static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;
    private static readonly DateTimeOffset Latest = new(9999, 12, 30, 0, 0, 0, TimeSpan.Zero);

    private readonly IAnalyticsStore _store;
    private readonly IRequestCountStore? _counts;
    private readonly IConsumerRollupStore? _consumers;
    private readonly IErrorStore? _errors;
    private readonly IHealthMetricsStore? _health;
    private readonly RetentionOptions _retention;
    private readonly RequestAnalyticsOptions _options;
    private readonly ApdexThresholds _apdex;
    private readonly SloMeter _slos;
    private readonly int _uptimeFailureThreshold;
    private readonly TimeProvider _timeProvider;

    public AnalyticsQueries(IAnalyticsStore store, IOptions<RequestAnalyticsOptions> options, TimeProvider timeProvider)
    {
        _store = store;
        var capabilities = store.Capabilities;
        _counts = capabilities.RequestCounts;
        _consumers = capabilities.Consumers;
        _errors = capabilities.Errors;
        _health = capabilities.HealthMetrics;
        _retention = options.Value.Retention;
        _options = options.Value;
        _apdex = new ApdexThresholds(options.Value);
        _slos = new SloMeter(store, options.Value.Retention);
        _uptimeFailureThreshold = options.Value.UptimeFailureThreshold;
        _timeProvider = timeProvider;
    }

    public async Task<AnalyticsOverview> GetOverviewAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query);
        var overview = await OverviewAsync(query, plan, cancellationToken).ConfigureAwait(false);
        if (query.Compare == AnalyticsComparison.None)
        {
            return overview;
        }

        var previous = await PreviousQueryAsync(query, plan, cancellationToken).ConfigureAwait(false);
        return overview with
        {
            Previous = previous is null ? null : await OverviewAsync(previous, Plan(previous), cancellationToken).ConfigureAwait(false),
        };
    }

    public async Task<TimeSeries> GetTimeSeriesAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query, perBucket: true);
        var buckets = new RequestTotals[plan.BucketCount];
        await foreach (var row in ReadRollupsAsync(
            plan.Rollups(includeSketches: true, includeCardinality: true) with { BucketTotals = true },
            cancellationToken).ConfigureAwait(false))
        {
            if (plan.BucketIndex(row.BucketStart) is int index and >= 0)
            {
                (buckets[index] ??= new RequestTotals(plan.Filters.Kind is not null)).Add(row);
            }
        }

        var points = new TimeSeriesPoint[buckets.Length];
        for (int i = 0; i < points.Length; i++)
        {
            var t = buckets[i] ?? RequestTotals.Empty;
            points[i] = new TimeSeriesPoint
            {
                Time = plan.BucketTime(i), Count = t.Count, Errors = t.Errors,
                Avg = t.Avg, P50 = t.Quantile(0.50), P95 = t.Quantile(0.95), P99 = t.Quantile(0.99),
                UniqueUsers = t.UniqueUsers, UniqueClients = t.UniqueClients,
            };
        }

        return new TimeSeries { Granularity = plan.Granularity, Points = points };
    }

    public async Task<IReadOnlyList<RouteStats>> GetRoutesAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query);
        int limit = ValidateLimit(query, 20);
        var routes = await RouteTotalsAsync(query, plan, cancellationToken).ConfigureAwait(false);
        var previous = query.Compare != AnalyticsComparison.None
            && await PreviousQueryAsync(query, plan, cancellationToken).ConfigureAwait(false) is { } earlier
            ? await RouteTotalsAsync(earlier, Plan(earlier), cancellationToken).ConfigureAwait(false)
            : null;

        return routes
            .OrderByDescending(r => r.Value.Count).ThenBy(r => r.Key.Route, StringComparer.Ordinal).ThenBy(r => r.Key.Method, StringComparer.Ordinal)
            .Take(limit)
            .Select(r => ToRouteStats(r.Key, r.Value) with
            {
                Previous = previous is not null && previous.TryGetValue(r.Key, out var before) ? ToRouteStats(r.Key, before) : null,
            })
            .ToArray();
    }

    private async Task<AnalyticsOverview> OverviewAsync(AnalyticsQuery query, QueryPlan plan, CancellationToken cancellationToken)
    {
        var totals = new RequestTotals(plan.Filters.Kind is not null, _apdex);

        // Apdex weighs each row's latency by its successful share, so totals must keep rows of different status classes
        // apart: request totals do (RollupQuery.BucketTotals promises it), per-consumer totals need not (the consumers
        // call scores no Apdex), so a read for one consumer asks for rows. answers-ab.sh found the score off in its sixth
        // digit when it did not.
        await foreach (var row in ReadTotalRowsAsync(
            query,
            plan,
            plan.Rollups(includeSketches: true, includeCardinality: true) with
            {
                BucketTotals = !_apdex.PerRoute && plan.Filters.Consumer is null,
            },
            cancellationToken).ConfigureAwait(false))
        {
            totals.Add(row);
        }

        var to = plan.CoveredTo(_timeProvider.GetUtcNow());
        double minutes = (to - plan.From).TotalMinutes;
        return new AnalyticsOverview
        {
            From = plan.From,
            To = to,
            TotalRequests = totals.Count,
            ErrorRequests = totals.Errors,
            ErrorRate = totals.ErrorRate,
            RequestsPerMinute = minutes > 0 ? totals.Count / minutes : 0,
            Latency = new LatencySummary
            {
                Avg = totals.Avg, P50 = totals.Quantile(0.50), P95 = totals.Quantile(0.95), P99 = totals.Quantile(0.99),
                Max = ToMilliseconds(totals.Max),
            },
            BytesIn = totals.RequestBytes,
            BytesOut = totals.ResponseBytes,
            UniqueUsers = totals.UniqueUsers,
            UniqueClients = totals.UniqueClients,
            UniqueConsumers = totals.UniqueConsumers,
            Apdex = totals.Apdex,
            Connections = totals.ConnectionSummary,
        };
    }

    private async Task<Dictionary<(string Route, string Method), RequestTotals>> RouteTotalsAsync(
        AnalyticsQuery query, QueryPlan plan, CancellationToken cancellationToken)
    {
        var routes = new Dictionary<(string Route, string Method), RequestTotals>();
        await foreach (var row in ReadTotalRowsAsync(query, plan, plan.Rollups(includeSketches: true), cancellationToken).ConfigureAwait(false))
        {
            var key = (row.Route, row.Method);
            if (!routes.TryGetValue(key, out var totals))
            {
                routes.Add(key, totals = new RequestTotals(plan.Filters.Kind is not null, _apdex));
            }

            totals.Add(row);
        }

        return routes;
    }

    private static RouteStats ToRouteStats((string Route, string Method) key, RequestTotals totals) => new()
    {
        Route = key.Route, Method = key.Method, Count = totals.Count, Errors = totals.Errors, ErrorRate = totals.ErrorRate,
        Avg = totals.Avg, P95 = totals.Quantile(0.95), P99 = totals.Quantile(0.99), Connections = totals.Connections,
        Apdex = totals.Apdex,
    };

    public async Task<IReadOnlyList<StatusCodeCount>> GetStatusCodesAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query);
        var codes = new Dictionary<int, long>();
        foreach (var read in TotalReads(query, plan, plan.Rollups(includeSketches: false)))
        {
            var totals = _counts is { } counts && read.Consumer is null
                ? counts.ReadRequestCountsByStatusAsync(read, cancellationToken)
                : ReadRollupsAsync(read, cancellationToken)
                    .Select(static row => new StatusCodeCount { StatusCode = row.StatusCode, Count = row.Count });
            await foreach (var total in totals.ConfigureAwait(false))
            {
                codes[total.StatusCode] = codes.GetValueOrDefault(total.StatusCode) + total.Count;
            }
        }

        return codes
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key)
            .Select(c => new StatusCodeCount { StatusCode = c.Key, Count = c.Value })
            .ToArray();
    }

    public async Task<Heatmap> GetHeatmapAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        Validate(query);
        if (query.Granularity == Granularity.Day)
        {
            throw new ArgumentException(
                "A heatmap needs hours: use the minute or hour granularity, or leave it unset.",
                nameof(AnalyticsQuery.Granularity));
        }

        // Hours answer any range the hour retention covers; minutes are used only when chosen for a short range. Days
        // cannot tell hours apart, so a range older than the hour retention cannot be answered truthfully.
        if (query.Granularity is null && query.From < _timeProvider.GetUtcNow() - _retention.Hour)
        {
            throw new ArgumentException(
                $"A heatmap reads hour rollups, which are kept {_retention.Hour.TotalDays:0.##} days (Retention.Hour); the range starts before that.",
                nameof(AnalyticsQuery.From));
        }

        var plan = Plan(query, coarsest: Granularity.Hour);
        var counts = new long[7 * 24];
        var rollups = plan.Rollups(includeSketches: false);

        // Summed per bucket by the database when it can: a week of hours is 168 rows instead of one per route, method and code.
        var buckets = _counts is { } store && rollups.Consumer is null
            ? store.ReadRequestCountsByBucketAsync(rollups, cancellationToken)
            : ReadRollupsAsync(rollups, cancellationToken).Select(static row => new BucketCount(row.BucketStart, row.Count));
        await foreach (var bucket in buckets.ConfigureAwait(false))
        {
            counts[((int)bucket.BucketStart.UtcDateTime.DayOfWeek * 24) + bucket.BucketStart.UtcDateTime.Hour] += bucket.Count;
        }

        var cells = new HeatmapCell[counts.Length];
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = new HeatmapCell { DayOfWeek = i / 24, Hour = i % 24, Count = counts[i] };
        }

        return new Heatmap { Cells = cells };
    }

    public async Task<RequestPage> GetRequestsAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var filters = Validate(query);
        int limit = ValidateLimit(query, 100);
        if (query.Before is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AnalyticsQuery.Before), query.Before, "Before must be a positive request id.");
        }

        var rows = await _store.ReadRequestsAsync(
            new RawQuery
            {
                From = query.From,
                To = query.To,
                Before = query.Before,
                Limit = limit,
                Route = filters.Route,
                Method = filters.Method,
                MinStatusCode = filters.Status?.Min,
                MaxStatusCode = filters.Status?.Max,
                Environment = filters.Environment,
                Instance = filters.Instance,
                Kind = filters.Kind,
                Consumer = filters.Consumer,
                Release = filters.Release,
            },
            cancellationToken).ConfigureAwait(false);

        var items = rows.Select(static row => RequestLogEntry.From(row.Id, row.Request)).ToArray();

        return new RequestPage { Items = items, Next = items.Length == limit ? items[^1].Id : null };
    }

    public IAsyncEnumerable<RequestRollup> GetRollupsAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query); // validates now, not at the first MoveNextAsync
        return ReadRollupsAsync(plan.Rollups(includeSketches: true), cancellationToken);
    }

    public async Task<EventsOverTime> GetEventsAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query, perBucket: true, requests: false);
        int limit = ValidateLimit(query, 20);
        var series = new Dictionary<string, EventTotals>(StringComparer.Ordinal);
        await foreach (var row in _store.ReadEventRollupsAsync(
            plan.Rollups(includeSketches: true) with { EventName = Normalize(query.EventName), Kind = null },
            cancellationToken).ConfigureAwait(false))
        {
            if (plan.BucketIndex(row.BucketStart) is int index and >= 0)
            {
                if (!series.TryGetValue(row.Name, out var totals))
                {
                    series.Add(row.Name, totals = new EventTotals());
                }

                totals.Add(row, index);
            }
        }

        // Buckets are kept sparse while totalling; only the series returned get a point for every bucket.
        return new EventsOverTime
        {
            Granularity = plan.Granularity,
            Events = series
                .OrderByDescending(s => s.Value.Count).ThenBy(s => s.Key, StringComparer.Ordinal)
                .Take(limit)
                .Select(s => s.Value.ToSeries(s.Key, plan))
                .ToArray(),
        };
    }
}
