using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Benchmarks;

/// <summary>
/// The stats API's three main reads (overview, timeseries, routes) through <see cref="IAnalyticsQueries"/> on the
/// SQLite store, over the last 1 hour, 24 hours, 7 days and 30 days of a database holding 10 million requests over 30
/// days (<see cref="DatabaseGenerator"/>; generated on the first run, about ten minutes, then reused). The clock is
/// set to the end of the generated traffic, so each range is "the last N" as the dashboard asks for it.
/// </summary>
[MemoryDiagnoser]
public class QueryBenchmarks
{
    private ServiceProvider _services = null!;
    private IAnalyticsQueries _queries = null!;
    private AnalyticsQuery _query = null!;

    [Params("1h", "24h", "7d", "30d")]
    public string Range { get; set; } = "1h";

    [GlobalSetup]
    public void Setup()
    {
        var path = DatabaseGenerator.Ensure(
            long.TryParse(Environment.GetEnvironmentVariable("ANALYTICS_BENCH_REQUESTS"), out var requests) ? requests : DatabaseGenerator.DefaultRequests);
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
        services.AddRequestAnalytics().UseSqlite(path);
        _services = services.BuildServiceProvider();
        _queries = _services.GetRequiredService<IAnalyticsQueries>();
        var span = Range switch
        {
            "1h" => TimeSpan.FromHours(1),
            "24h" => TimeSpan.FromHours(24),
            "7d" => TimeSpan.FromDays(7),
            _ => TimeSpan.FromDays(30),
        };
        _query = new AnalyticsQuery { From = end - span, To = end };
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
    public Task<IReadOnlyList<RouteStats>> Routes() => _queries.GetRoutesAsync(_query);

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
