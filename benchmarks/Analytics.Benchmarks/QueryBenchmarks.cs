using Analytics.Queries;
using Analytics.ServiceLevels;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Benchmarks;

/// <summary>
/// Every call the dashboard's first load makes (<c>DashboardPreload.FirstCalls</c>, sixteen), through
/// <see cref="IAnalyticsQueries"/> on the SQLite store, over each range the range picker offers, on a database holding
/// 100 million requests over 90 days as the default retention keeps them (<see cref="DatabaseGenerator"/>; generated on
/// the first run, then reused). The clock is set to the end of the generated traffic, so each range is "the last N" as
/// the dashboard asks for it, with the page's own extras: routes with limit 50, consumers with limit 10, the heatmap
/// widened to 7 days for the ranges under a week, the access panel's routes with status 401 and limit 1000 (403 and
/// 429 are the same read with another status), the objectives over their own windows and uptime.
/// </summary>
[MemoryDiagnoser]
public class QueryBenchmarks
{
    private static readonly string[] ShortRanges = ["15m", "1h", "6h", "24h"];

    private ServiceProvider _services = null!;
    private IAnalyticsQueries _queries = null!;
    private RouteLastSeen _lastSeen = null!;
    private AnalyticsQuery _query = null!;
    private AnalyticsQuery _heatmap = null!;

    [Params("15m", "1h", "6h", "24h", "7d", "30d", "90d")]
    public string Range { get; set; } = "24h";

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("ANALYTICS_BENCH_DATABASE") is { Length: > 0 } given
            ? given
            : DatabaseGenerator.Ensure(
                long.TryParse(Environment.GetEnvironmentVariable("ANALYTICS_BENCH_REQUESTS"), out var requests)
                    ? requests
                    : DatabaseGenerator.DefaultRequests);
        DateTimeOffset end;
        using (var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT max(ts) FROM requests;";
            end = DateTimeOffset.UnixEpoch.AddTicks((long)command.ExecuteScalar()! * TimeSpan.TicksPerMicrosecond).AddSeconds(1);
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(new FixedTimeProvider(end));
        services.AddLogging();
        services.AddRequestAnalytics(o =>
        {
            o.Slos.Add(new SloOptions { Name = "availability", Objective = 0.99 });
            o.Slos.Add(new SloOptions
            {
                Name = "items-latency", Route = "/items/{id}", Method = "GET", Objective = 0.95, LatencyThreshold = TimeSpan.FromMilliseconds(25),
            });
        }).UseSqlite(path);
        _services = services.BuildServiceProvider();
        _queries = _services.GetRequiredService<IAnalyticsQueries>();
        _lastSeen = _services.GetRequiredService<RouteLastSeen>();
        _query = new AnalyticsQuery { From = end - Span(Range), To = end };
        _heatmap = ShortRanges.Contains(Range) ? _query with { From = end - TimeSpan.FromDays(7) } : _query;
        var overview = _queries.GetOverviewAsync(_query).GetAwaiter().GetResult();
        Console.WriteLine($"// {Range}: {overview.TotalRequests:N0} requests, p50 {overview.Latency.P50:0.0} ms, p99 {overview.Latency.P99:0.0} ms");
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public Task<AnalyticsOverview> Overview() => _queries.GetOverviewAsync(_query);

    [Benchmark]
    public Task<TimeSeries> TimeSeries() => _queries.GetTimeSeriesAsync(_query);

    [Benchmark]
    public Task<IReadOnlyList<RouteStats>> Routes() => _queries.GetRoutesAsync(_query with { Limit = 50 });

    [Benchmark]
    public Task<IReadOnlyList<StatusCodeCount>> StatusCodes() => _queries.GetStatusCodesAsync(_query);

    [Benchmark]
    public Task<IReadOnlyList<ErrorGroup>> Errors() => _queries.GetErrorsAsync(_query);

    [Benchmark]
    public Task<Heatmap> Heatmap() => _queries.GetHeatmapAsync(_heatmap);

    [Benchmark]
    public Task<EventsOverTime> Events() => _queries.GetEventsAsync(_query);

    [Benchmark]
    public Task<HealthMetrics> HealthMetrics() => _queries.GetHealthMetricsAsync(_query);

    [Benchmark]
    public Task<IReadOnlyList<ConsumerStats>> Consumers() => _queries.GetConsumersAsync(_query with { Limit = 10 });

    [Benchmark]
    public Task<IReadOnlyList<ReleaseStats>> Releases() => _queries.GetReleasesAsync(_query);

    /// <summary><c>api/endpoints</c>: the catalog's last-seen times, the one read it makes; it takes no range.</summary>
    [Benchmark]
    public Task<IReadOnlyDictionary<(string Route, string Method), DateTimeOffset>> Endpoints() => _lastSeen.GetAsync(CancellationToken.None);

    [Benchmark]
    public Task<IReadOnlyList<RouteStats>> RoutesWithStatus401() => _queries.GetRoutesAsync(_query with { Status = "401", Limit = 1_000 });

    /// <summary><c>api/slos</c>: the objectives over their own windows (30 days), whatever the range.</summary>
    [Benchmark]
    public Task<IReadOnlyList<SloStatus>> Slos() => _queries.GetSlosAsync(_query);

    [Benchmark]
    public Task<IReadOnlyList<Uptime.UptimeCheck>> Uptime() => _queries.GetUptimeAsync(_query);

    /// <summary>Runs one benchmark method by name, for <c>profile-query</c>.</summary>
    internal Func<Task> Method(string name) => name.ToLowerInvariant() switch
    {
        "overview" => Overview,
        "timeseries" => TimeSeries,
        "routes" => Routes,
        "statuscodes" => StatusCodes,
        "errors" => Errors,
        "heatmap" => Heatmap,
        "events" => Events,
        "healthmetrics" => HealthMetrics,
        "consumers" => Consumers,
        "releases" => Releases,
        "endpoints" => Endpoints,
        "routeswithstatus401" => RoutesWithStatus401,
        "slos" => Slos,
        "uptime" => Uptime,
        _ => throw new ArgumentException($"Unknown query '{name}': one of QueryBenchmarks' methods.", nameof(name)),
    };

    private static TimeSpan Span(string range) => range switch
    {
        "15m" => TimeSpan.FromMinutes(15),
        "1h" => TimeSpan.FromHours(1),
        "6h" => TimeSpan.FromHours(6),
        "24h" => TimeSpan.FromHours(24),
        "7d" => TimeSpan.FromDays(7),
        "30d" => TimeSpan.FromDays(30),
        _ => TimeSpan.FromDays(90),
    };

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
