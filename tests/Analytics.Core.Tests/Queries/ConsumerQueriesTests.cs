using Analytics.Queries;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Queries;

/// <summary>
/// Consumers, releases and comparisons (DESIGN §9) answered from known rollups: three consumers over the last hour,
/// two releases in it and one before it, and traffic in the hour before for the previous period.
/// </summary>
public sealed class ConsumerQueriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero); // a Saturday
    private static readonly AnalyticsQuery LastHour = new() { From = Now.AddHours(-1), To = Now };
    private readonly FakeStore _store = new(allCapabilities: true);

    public ConsumerQueriesTests()
    {
        var records = new List<RequestRecord>();

        // alpha: 60 requests from 11:10 to 11:29, 1 to 60 ms, every tenth a 500; release 1.0.
        for (int i = 0; i < 60; i++)
        {
            records.Add(TestData.Request(Now.AddMinutes(-50 + (i / 3)).AddSeconds(i % 3), status: i % 10 == 0 ? 500 : 200, milliseconds: i + 1)
                with
            { Consumer = "alpha", Release = "1.0" });
        }

        // beta: 30 requests from 11:30 to 11:44 to /orders, 100 to 129 ms; release 1.0.
        for (int i = 0; i < 30; i++)
        {
            records.Add(TestData.Request(Now.AddMinutes(-30 + (i / 2)).AddSeconds(i % 2), route: "/orders", milliseconds: 100 + i)
                with
            { Consumer = "beta", Release = "1.0" });
        }

        // gamma: 10 requests from 11:50 to 11:54, 1 s each, two 503s; release 1.1.
        for (int i = 0; i < 10; i++)
        {
            records.Add(TestData.Request(Now.AddMinutes(-10 + (i / 2)).AddSeconds(i % 2), status: i < 2 ? 503 : 200, milliseconds: 1_000)
                with
            { Consumer = "gamma", Release = "1.1" });
        }

        // The hour before: alpha 7 at 10:30 and delta 3 at 10:59, release 0.9.
        for (int i = 0; i < 7; i++)
        {
            records.Add(TestData.Request(Now.AddMinutes(-90).AddSeconds(i), milliseconds: 5) with { Consumer = "alpha", Release = "0.9" });
        }

        for (int i = 0; i < 3; i++)
        {
            records.Add(TestData.Request(Now.AddMinutes(-61).AddSeconds(i), status: 500, milliseconds: 5) with { Consumer = "delta", Release = "0.9" });
        }

        Roll(records);
    }

    [Fact]
    public async Task ConsumersAreCountedWithExactErrorsAndPercentilesWithinOnePercent()
    {
        var consumers = await Create().GetConsumersAsync(LastHour, default);

        Assert.Equal(["alpha", "beta", "gamma"], consumers.Select(c => c.Consumer));
        var alpha = consumers[0];
        Assert.Equal((60L, 6L, 0.1, 30.5), (alpha.Count, alpha.Errors, alpha.ErrorRate, alpha.Avg));
        Assert.InRange(alpha.P95, 57 * 0.99, 57 * 1.01); // nearest rank: the 57th of 1..60 ms
        Assert.InRange(alpha.P99, 60 * 0.99, 60 * 1.01);
        Assert.Equal(Now.AddMinutes(-30), alpha.LastSeen); // the end of 11:29's bucket
        var beta = consumers[1];
        Assert.Equal((30L, 0L, 114.5), (beta.Count, beta.Errors, beta.Avg));
        Assert.InRange(beta.P95, 128 * 0.99, 128 * 1.01); // the 29th of 100..129 ms
        var gamma = consumers[2];
        Assert.Equal((10L, 2L, 0.2, Now.AddMinutes(-5)), (gamma.Count, gamma.Errors, gamma.ErrorRate, gamma.LastSeen));
        Assert.InRange(gamma.P99, 990, 1_010);
        Assert.All(consumers, c => Assert.Null(c.Previous));
    }

    [Fact]
    public async Task TheConsumerListKeepsTheBusiestUpToTheLimitAndFiltersLikeEveryRead()
    {
        var queries = Create();

        Assert.Equal(["alpha", "beta"], (await queries.GetConsumersAsync(LastHour with { Limit = 2 }, default)).Select(c => c.Consumer));
        Assert.Equal(["gamma"], (await queries.GetConsumersAsync(LastHour with { Status = "5xx", Route = "/items/{id}", Release = "1.1" }, default)).Select(c => c.Consumer));
        Assert.Equal(2, Assert.Single(await queries.GetConsumersAsync(LastHour with { Consumer = "gamma", Status = "503" }, default)).Count);
        Assert.Equal("Limit", (await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetConsumersAsync(LastHour with { Limit = 1_001 }, default))).ParamName);
    }

    [Fact]
    public async Task TheConsumerFilterReadsThePerConsumerRollupsInEveryRequestRead()
    {
        var queries = Create();

        var overview = await queries.GetOverviewAsync(LastHour with { Consumer = "beta" }, default);
        Assert.Equal((30L, 0L), (overview.TotalRequests, overview.ErrorRequests));
        Assert.InRange(overview.Latency.P95, 128 * 0.99, 128 * 1.01);
        Assert.NotEmpty(_store.ConsumerRollupQueries);
        Assert.All(_store.ConsumerRollupQueries, q => Assert.Equal("beta", q.Consumer));

        var series = await queries.GetTimeSeriesAsync(LastHour with { Consumer = "gamma" }, default);
        Assert.Equal([2L, 2L, 2L, 2L, 2L], series.Points.Where(p => p.Count > 0).Select(p => p.Count));
        Assert.Equal(Now.AddMinutes(-10), series.Points.First(p => p.Count > 0).Time);

        var route = Assert.Single(await queries.GetRoutesAsync(LastHour with { Consumer = "beta" }, default));
        Assert.Equal(("/orders", 30L), (route.Route, route.Count));

        var codes = await queries.GetStatusCodesAsync(LastHour with { Consumer = "alpha" }, default);
        Assert.Equal([(200, 54L), (500, 6L)], codes.Select(c => (c.StatusCode, c.Count)));

        var heatmap = await queries.GetHeatmapAsync(LastHour with { Consumer = "gamma" }, default);
        Assert.Equal(10, heatmap.Cells.Single(c => c.DayOfWeek == (int)DayOfWeek.Saturday && c.Hour == 11).Count);
        Assert.Equal(10, heatmap.Cells.Sum(c => c.Count));

        // Without a consumer, the ordinary rollups: every request, and the distinct consumers among them.
        var all = await queries.GetOverviewAsync(LastHour, default);
        Assert.Equal((100L, 3L), (all.TotalRequests, all.UniqueConsumers));
        Assert.Equal(0, (await queries.GetOverviewAsync(LastHour with { Consumer = "nobody" }, default)).TotalRequests);
    }

    [Fact]
    public async Task TheReleaseFilterAppliesToRollupsAndReleasesAreListedNewestFirst()
    {
        var queries = Create();

        Assert.Equal(10, (await queries.GetOverviewAsync(LastHour with { Release = "1.1" }, default)).TotalRequests);
        Assert.Equal(90, (await queries.GetRoutesAsync(LastHour with { Release = "1.0" }, default)).Sum(r => r.Count));
        Assert.Equal(30, (await queries.GetOverviewAsync(LastHour with { Release = "1.0", Consumer = "beta" }, default)).TotalRequests);

        var releases = await queries.GetReleasesAsync(LastHour with { From = Now.AddHours(-2) }, default);

        Assert.Equal(["1.1", "1.0", "0.9"], releases.Select(r => r.Release));
        Assert.Equal((Now.AddMinutes(-10), Now.AddMinutes(-5), 10L, 0.2), (releases[0].FirstSeen, releases[0].LastSeen, releases[0].Count, releases[0].ErrorRate));
        Assert.InRange(releases[0].P95, 990, 1_010);
        Assert.Equal((Now.AddMinutes(-50), Now.AddMinutes(-15), 90L, 6 / 90.0), (releases[1].FirstSeen, releases[1].LastSeen, releases[1].Count, releases[1].ErrorRate));
        Assert.InRange(releases[1].P95, 125 * 0.99, 125 * 1.01); // the 86th of 1..60 and 100..129 ms
        Assert.Equal((Now.AddMinutes(-90), Now.AddMinutes(-60), 10L), (releases[2].FirstSeen, releases[2].LastSeen, releases[2].Count));
    }

    [Fact]
    public async Task PreviousPeriodIsTheSameQueryOverTheSameBucketsJustBefore()
    {
        var queries = Create();
        var compared = LastHour with { Compare = AnalyticsComparison.PreviousPeriod };

        var overview = await queries.GetOverviewAsync(compared, default);
        Assert.Equal(100, overview.TotalRequests);
        var previous = Assert.IsType<AnalyticsOverview>(overview.Previous);
        Assert.Equal((Now.AddHours(-2), Now.AddHours(-1), 10L, 3L, (object?)null), (previous.From, previous.To, previous.TotalRequests, previous.ErrorRequests, previous.Previous));

        var consumers = (await queries.GetConsumersAsync(compared, default)).ToDictionary(c => c.Consumer);
        Assert.Equal(7, consumers["alpha"].Previous!.Count);
        Assert.Equal(Now.AddMinutes(-89), consumers["alpha"].Previous!.LastSeen);
        Assert.Null(consumers["beta"].Previous);

        var routes = (await queries.GetRoutesAsync(compared, default)).ToDictionary(r => r.Route);
        Assert.Equal((10L, 3L), (routes["/items/{id}"].Previous!.Count, routes["/items/{id}"].Previous!.Errors));
        Assert.Null(routes["/orders"].Previous);

        // A filter applies to both ranges; a range that is not whole buckets is compared with as many whole buckets.
        var ragged = await queries.GetOverviewAsync(compared with { From = Now.AddMinutes(-61).AddSeconds(30), Consumer = "delta" }, default);
        Assert.Equal((3L, 0L), (ragged.TotalRequests, ragged.Previous!.TotalRequests));
        Assert.Equal(Now.AddMinutes(-122), ragged.Previous.From);
    }

    [Fact]
    public async Task PreviousReleaseIsTheReleaseBeforeTheNewestOverTheSameLengthEndingWhenItWasLastSeen()
    {
        var queries = Create();
        var compared = LastHour with { Compare = AnalyticsComparison.PreviousRelease };

        var overview = await queries.GetOverviewAsync(compared, default);

        // 1.1 is the newest in the hour; 1.0 came before it (and 0.9 before that), last seen at 11:45: 10:45 to 11:45.
        var previous = Assert.IsType<AnalyticsOverview>(overview.Previous);
        Assert.Equal((Now.AddMinutes(-75), Now.AddMinutes(-15), 90L, 6L), (previous.From, previous.To, previous.TotalRequests, previous.ErrorRequests));
        var consumers = (await queries.GetConsumersAsync(compared, default)).ToDictionary(c => c.Consumer);
        Assert.Equal((60L, 30L), (consumers["alpha"].Previous!.Count, consumers["beta"].Previous!.Count));
        Assert.Null(consumers["gamma"].Previous);

        // Asked about 1.0 alone, the release before it is 0.9; before 0.9 there is none.
        var ofOne = await queries.GetOverviewAsync(compared with { Release = "1.0" }, default);
        Assert.Equal(10, ofOne.Previous!.TotalRequests);
        Assert.Null((await queries.GetOverviewAsync(compared with { From = Now.AddHours(-2), To = Now.AddMinutes(-60) }, default)).Previous);
    }

    [Fact]
    public async Task TheRequestLogFiltersRawRowsByConsumerAndRelease()
    {
        var store = new FakeStore();
        await store.WriteBatchAsync(TestData.Batch([
            TestData.Request(Now.AddMinutes(-5)) with { Consumer = "alpha", Release = "1.0" },
            TestData.Request(Now.AddMinutes(-4)) with { Consumer = "beta", Release = "1.0" },
            TestData.Request(Now.AddMinutes(-3)) with { Consumer = "beta", Release = "1.1" },
        ]), default);
        var queries = new AnalyticsQueries(store, Options.Create(new RequestAnalyticsOptions()), new FakeTimeProvider(Now));

        Assert.Equal(2, (await queries.GetRequestsAsync(LastHour with { Consumer = "beta" }, default)).Items.Count);
        Assert.Single((await queries.GetRequestsAsync(LastHour with { Consumer = "beta", Release = "1.0" }, default)).Items);
    }

    public static TheoryData<AnalyticsQuery, string> BadQueries => new()
    {
        { LastHour with { Consumer = new string('c', 101) }, "Consumer" },
        { LastHour with { Release = new string('r', 101) }, "Release" },
        { LastHour with { Compare = (AnalyticsComparison)3 }, "Compare" },
        { LastHour with { Compare = (AnalyticsComparison)(-1) }, "Compare" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task BadConsumerReleaseOrComparisonIsRejectedNamingTheProperty(AnalyticsQuery query, string parameter)
    {
        var queries = Create();
        var calls = new Func<Task>[]
        {
            () => queries.GetOverviewAsync(query, default), () => queries.GetTimeSeriesAsync(query, default),
            () => queries.GetRoutesAsync(query, default), () => queries.GetStatusCodesAsync(query, default),
            () => queries.GetHeatmapAsync(query, default), () => queries.GetRequestsAsync(query, default),
            () => queries.GetConsumersAsync(query, default), () => queries.GetReleasesAsync(query, default),
        };

        foreach (var call in calls)
        {
            Assert.Equal(parameter, (await Assert.ThrowsAnyAsync<ArgumentException>(call)).ParamName);
        }
    }

    [Fact]
    public async Task ReadsWithoutAConsumerDimensionRefuseConsumerAndRelease()
    {
        var queries = Create();
        foreach (var (query, parameter) in new[] { (LastHour with { Consumer = "alpha" }, "Consumer"), (LastHour with { Release = "1.0" }, "Release") })
        {
            var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetEventsAsync(query, default));
            Assert.Equal(parameter, error.ParamName);
            Assert.Contains("requests only", error.Message, StringComparison.Ordinal);
            Assert.Equal(parameter, (await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetErrorsAsync(query, default))).ParamName);
            Assert.Equal(parameter, (await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetHealthMetricsAsync(query, default))).ParamName);
        }
    }

    [Fact]
    public async Task AStoreWithoutPerConsumerRollupsRefusesTheConsumerFilterAndListsNoConsumers()
    {
        var queries = new AnalyticsQueries(new FakeStore(), Options.Create(new RequestAnalyticsOptions()), new FakeTimeProvider(Now));

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetOverviewAsync(LastHour with { Consumer = "alpha" }, default));
        Assert.Equal("Consumer", error.ParamName);
        Assert.Contains("does not keep per-consumer rollups", error.Message, StringComparison.Ordinal);
        Assert.Empty(await queries.GetConsumersAsync(LastHour, default));
    }

    private AnalyticsQueries Create() =>
        new(_store, Options.Create(new RequestAnalyticsOptions()), new FakeTimeProvider(Now));

    /// <summary>
    /// Rolls the records up per release and consumer into the store: the request rollups with their release and the
    /// distinct consumers, and the per-consumer rollups.
    /// </summary>
    private void Roll(IEnumerable<RequestRecord> records)
    {
        foreach (var group in records.GroupBy(r => (r.Release, r.Consumer)))
        {
            var rollups = TestData.Batch(group, keepRaw: false).RequestRollups.ToList();
            _store.AddRequestRollups(rollups.Select(r => Stamp(r, group.Key.Release, consumer: null, seen: group.Key.Consumer)));
            _store.AddConsumerRollups(rollups.Select(r => Stamp(r, group.Key.Release, group.Key.Consumer, seen: null)));
        }
    }

    private static RequestRollup Stamp(RequestRollup row, string? release, string? consumer, string? seen)
    {
        var copy = new RequestRollup
        {
            Granularity = row.Granularity, BucketStart = row.BucketStart, Route = row.Route, Method = row.Method,
            StatusCode = row.StatusCode, Environment = row.Environment, Instance = row.Instance, Kind = row.Kind,
            Release = release, Consumer = consumer,
        };
        copy.Add(row);
        if (seen is not null)
        {
            copy.Consumers = new CardinalitySketch();
            copy.Consumers.Add(seen);
        }

        return copy;
    }
}
