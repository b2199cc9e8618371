using Analytics.Queries;
using Analytics.ServiceLevels;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Queries;

/// <summary>
/// Apdex and objectives over a known traffic mix, against the values computed from the raw durations. No duration is
/// within 2 % of a threshold (T, 4T, a latency objective's bound): the sketch counts a whole bucket as at or below a bound
/// inside it, so within that distance it may count a slightly slower request as fast; away from it the counts are exact,
/// and so are the scores below.
/// </summary>
public sealed class ServiceLevelQueriesTests
{
    // 17½ minutes past an hour: objectives end at 12:17, so their 48-hour window reads minutes, hours, a day, hours and minutes.
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 17, 30, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2026, 11, 21, 12, 17, 0, TimeSpan.Zero);
    private static readonly TimeSpan DefaultT = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SearchT = TimeSpan.FromMilliseconds(100);
    private static readonly double[] OrderDurations = [20, 120, 300, 450, 700, 950, 1_100, 1_800, 2_600, 4_000];
    private static readonly double[] SearchDurations = [15, 60, 95, 130, 250, 380, 420, 900];

    private readonly FakeStore _store = new();
    private readonly List<RequestRecord> _traffic = Traffic();

    /// <summary>Every 7 minutes for 50 hours: three requests to each route, some failed, some 404, some from staging; a WebSocket.</summary>
    private static List<RequestRecord> Traffic()
    {
        var records = new List<RequestRecord>();
        for (int tick = 0; tick * 7 < 50 * 60; tick++)
        {
            var at = Now.AddHours(-50).AddMinutes(tick * 7).AddSeconds(tick % 50);
            string environment = tick % 5 == 0 ? "staging" : "prod";
            for (int j = 0; j < 3; j++)
            {
                int n = (tick * 3) + j;
                int status = n % 11 == 0 ? 503 : n % 13 == 0 ? 404 : 200;
                records.Add(TestData.Request(
                    at, "/orders/{id}", "GET", status, OrderDurations[n % OrderDurations.Length], environment));
                records.Add(TestData.Request(
                    at, "/search", "GET", status, SearchDurations[(n * 5) % SearchDurations.Length], environment));
            }

            records.Add(TestData.Request(at, "/orders/{id}", "GET", 101, 60_000, environment) with { Kind = RequestKind.WebSocket });
        }

        // In the minute now is in: counted by the overview's last bucket, never by an objective (its window ends at 12:17).
        records.Add(TestData.Request(Now.AddSeconds(-10), "/orders/{id}", "GET", 503, 30, "prod"));
        return records;
    }

    private AnalyticsQueries Create()
    {
        var options = new RequestAnalyticsOptions { ApdexThreshold = DefaultT };
        options.Slos.Add(new SloOptions { Name = "search", Route = "/search", Objective = 0.9, ApdexThreshold = SearchT, BurnRateAlerts = false });
        options.Slos.Add(new SloOptions
        {
            Name = "orders-availability", Route = "/orders/{id}", Method = "get", Objective = 0.99, Window = TimeSpan.FromHours(48),
        });
        options.Slos.Add(new SloOptions
        {
            Name = "orders-latency", Route = "/orders/{id}", Objective = 0.95, Window = TimeSpan.FromHours(48),
            LatencyThreshold = TimeSpan.FromMilliseconds(1_000),
        });
        return new AnalyticsQueries(_store, Options.Create(options), new FakeTimeProvider(Now));
    }

    private static double? ExpectedApdex(IEnumerable<RequestRecord> records)
    {
        double satisfied = 0, tolerating = 0, total = 0;
        foreach (var r in records.Where(r => r.Kind == RequestKind.Http))
        {
            var t = r.Route == "/search" ? SearchT : DefaultT;
            total++;
            bool failed = r.StatusCode >= 500;
            satisfied += !failed && r.Duration <= t ? 1 : 0;
            tolerating += !failed && r.Duration > t && r.Duration <= 4 * t ? 1 : 0;
        }

        return total == 0 ? null : (satisfied + (tolerating / 2)) / total;
    }

    private List<RequestRecord> Between(DateTimeOffset from, DateTimeOffset to) =>
        [.. _traffic.Where(r => r.Timestamp >= from && r.Timestamp < to)];

    [Fact]
    public async Task ApdexOverallPerRouteAndOfThePreviousPeriodEqualsTheScoreOfTheRawDurations()
    {
        await _store.WriteBatchAsync(TestData.Batch(_traffic), default);
        var queries = Create();
        var query = new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Compare = AnalyticsComparison.PreviousPeriod };

        var overview = await queries.GetOverviewAsync(query, default);
        var routes = await queries.GetRoutesAsync(query, default);

        // Minute buckets: [11:17, 12:18) and, before it, as long: [10:16, 11:17).
        var range = Between(Now.AddMinutes(-61).AddSeconds(-30), Now.AddSeconds(30));
        var previous = Between(Now.AddMinutes(-122).AddSeconds(-30), Now.AddMinutes(-61).AddSeconds(-30));
        Assert.Equal(ExpectedApdex(range)!.Value, overview.Apdex!.Value, 12);
        Assert.Equal(ExpectedApdex(previous)!.Value, overview.Previous!.Apdex!.Value, 12);
        foreach (var route in new[] { "/orders/{id}", "/search" })
        {
            var stats = routes.Single(r => r.Route == route);
            Assert.Equal(ExpectedApdex(range.Where(r => r.Route == route))!.Value, stats.Apdex!.Value, 12);
            Assert.Equal(ExpectedApdex(previous.Where(r => r.Route == route))!.Value, stats.Previous!.Apdex!.Value, 12);
        }

        // The per-route T matters: /search judged against 500 ms would score higher.
        Assert.True(routes.Single(r => r.Route == "/search").Apdex < 0.8);
    }

    [Fact]
    public async Task ApdexIsNullWithoutRequests()
    {
        var overview = await Create().GetOverviewAsync(new AnalyticsQuery { From = Now.AddHours(-1), To = Now }, default);

        Assert.Null(overview.Apdex);
    }

    [Fact]
    public async Task ObjectivesCountGoodAndTotalRequestsOfTheirWindowEndingAtTheMinuteExactly()
    {
        await _store.WriteBatchAsync(TestData.Batch(_traffic), default);
        var queries = Create();

        var all = await queries.GetSlosAsync(new AnalyticsQuery { From = Now, To = Now }, default);
        var prod = await queries.GetSlosAsync(new AnalyticsQuery { From = Now, To = Now, Environment = "prod" }, default);

        Assert.Equal(["search", "orders-availability", "orders-latency"], all.Select(s => s.Name));
        var orders = _traffic.Where(r => r.Route == "/orders/{id}").ToList();
        AssertObjective(all[1], orders, latency: null);
        AssertObjective(prod[1], [.. orders.Where(r => r.Environment == "prod")], latency: null);
        AssertObjective(all[2], orders, latency: TimeSpan.FromMilliseconds(1_000));
        AssertObjective(prod[2], [.. orders.Where(r => r.Environment == "prod")], latency: TimeSpan.FromMilliseconds(1_000));
        Assert.Equal(("GET", (TimeSpan?)null, TimeSpan.FromMilliseconds(1_000)), (all[1].Method, all[1].LatencyThreshold, all[2].LatencyThreshold));
        Assert.Equal(TimeSpan.FromHours(48), all[1].Window);
    }

    /// <summary>
    /// Good: not failed (and, for a latency objective, an ordinary request within the bound: connections are left out).
    /// Attainment and burn rates as the API states them.
    /// </summary>
    private static void AssertObjective(SloStatus status, List<RequestRecord> route, TimeSpan? latency)
    {
        (long Good, long Total) Count(TimeSpan span)
        {
            var counted = route.Where(r => r.Timestamp >= End - span && r.Timestamp < End)
                .Where(r => latency is null || r.Kind == RequestKind.Http).ToList();
            return (counted.Count(r => r.StatusCode < 500 && (latency is null || r.Duration <= latency)), counted.Count);
        }

        var (good, total) = Count(status.Window);
        Assert.Equal((good, total), (status.Good, status.Total));
        Assert.True(total > 500 && good < total, $"{good} of {total}: the mix must have both");
        double attainment = (double)good / total;
        Assert.Equal(attainment, status.Attainment!.Value, 12);
        Assert.Equal(1 - ((1 - attainment) / (1 - status.Objective)), status.ErrorBudgetRemaining!.Value, 9);

        double? Burn(TimeSpan span) => Count(span) is { Total: > 0 } c ? (1 - ((double)c.Good / c.Total)) / (1 - status.Objective) : null;
        var burns = status.BurnRates;
        Assert.Equal(Burn(TimeSpan.FromMinutes(5)), burns.FiveMinutes);
        AssertClose(Burn(TimeSpan.FromMinutes(30)), burns.ThirtyMinutes);
        AssertClose(Burn(TimeSpan.FromHours(1)), burns.OneHour);
        AssertClose(Burn(TimeSpan.FromHours(6)), burns.SixHours);
        Assert.NotNull(burns.SixHours);
    }

    private static void AssertClose(double? expected, double? actual)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected is { } e)
        {
            Assert.Equal(e, actual!.Value, 9);
        }
    }

    [Fact]
    public async Task ObjectivesWithoutRequestsHaveNoAttainmentAndObjectivesCannotBeReadPerConsumer()
    {
        var queries = Create();

        var statuses = await queries.GetSlosAsync(new AnalyticsQuery { From = Now, To = Now }, default);
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(
            () => queries.GetSlosAsync(new AnalyticsQuery { From = Now, To = Now, Consumer = "billing" }, default));

        Assert.All(statuses, s => Assert.Equal((0L, 0L, (double?)null, (double?)null, (double?)null), (s.Good, s.Total, s.Attainment, s.ErrorBudgetRemaining, s.BurnRates.SixHours)));
        Assert.Equal("Consumer", error.ParamName);
    }

    [Fact]
    public void AWindowIsReadFromMinutesHoursAndDaysWithoutOverlapOrGap()
    {
        var meter = new SloMeter(_store, new RetentionOptions());

        var reads = meter.Reads(End.AddHours(-48), End, Now).ToList();

        Assert.Equal(
            [
                (Granularity.Minute, End.AddHours(-48), Hour(-47)),
                (Granularity.Hour, Hour(-47), Hour(-36)),
                (Granularity.Day, Hour(-36), Hour(-12)),
                (Granularity.Hour, Hour(-12), Hour(0)),
                (Granularity.Minute, Hour(0), End),
            ],
            reads);

        // A start older than the minutes kept reads its whole hour instead.
        var old = meter.Reads(End.AddDays(-8), End.AddDays(-8).AddHours(3), Now).First();
        Assert.Equal((Granularity.Hour, Hour(-8 * 24)), (old.Granularity, old.From));

        static DateTimeOffset Hour(int hours) => new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero).AddHours(hours);
    }
}
