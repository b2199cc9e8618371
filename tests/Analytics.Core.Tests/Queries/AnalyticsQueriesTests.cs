using Analytics.Queries;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Queries;

public sealed class AnalyticsQueriesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeStore _store = new();

    public static TheoryData<AnalyticsQuery, string> ImpossibleQueries => new()
    {
        { new AnalyticsQuery { From = Now, To = Now.AddTicks(-1) }, "From" },
        { new AnalyticsQuery { From = new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero), To = Now }, "From" },
        { new AnalyticsQuery { From = Now, To = DateTimeOffset.MaxValue }, "To" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Granularity = (Granularity)7 }, "Granularity" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Granularity = (Granularity)(-1) }, "Granularity" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Status = "abc" }, "Status" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Status = "600" }, "Status" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Status = "099" }, "Status" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Status = "6xx" }, "Status" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Status = "5x0" }, "Status" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Status = "5000" }, "Status" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Status = "-500" }, "Status" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Status = "５００" }, "Status" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Kind = (RequestKind)4 }, "Kind" },
        { new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Kind = (RequestKind)(-1) }, "Kind" },
    };

    [Theory]
    [MemberData(nameof(ImpossibleQueries))]
    public async Task EveryQueryRejectsImpossibleInputNamingTheProperty(AnalyticsQuery query, string parameter)
    {
        var queries = Create();
        var calls = new Func<Task>[]
        {
            () => queries.GetOverviewAsync(query, default),
            () => queries.GetTimeSeriesAsync(query, default),
            () => queries.GetRoutesAsync(query, default),
            () => queries.GetStatusCodesAsync(query, default),
            () => queries.GetErrorsAsync(query, default),
            () => queries.GetEventsAsync(query, default),
            () => queries.GetHeatmapAsync(query, default),
            () => queries.GetRequestsAsync(query, default),
        };

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAnyAsync<ArgumentException>(call);
            Assert.Equal(parameter, error.ParamName);
        }
    }

    [Fact]
    public async Task TotalsOverDaysOfHoursReadWholeDaysFromDayRollupsAndAgreeWithHoursAlone()
    {
        // Nine days of traffic at every hour: varied latencies, routes, codes and client addresses.
        var records = new List<RequestRecord>();
        for (var hour = 0; hour < 9 * 24; hour++)
        {
            var at = Now.AddDays(-9).AddHours(hour).AddMinutes(hour % 60);
            for (var i = 0; i < 3; i++)
            {
                records.Add(TestData.Request(
                    at.AddSeconds(i),
                    route: i == 2 ? "/orders" : "/items/{id}",
                    status: hour % 7 == 0 && i == 1 ? 503 : 200,
                    milliseconds: 1 + ((hour * 37 + i * 11) % 900),
                    responseBytes: hour + i) with
                { ClientIp = $"10.0.{hour % 50}.{i}" });
            }
        }

        await _store.WriteBatchAsync(TestData.Batch(records), default);
        var queries = Create();
        var auto = new AnalyticsQuery { From = Now.AddDays(-7).AddMinutes(-90), To = Now.AddMinutes(-20) }; // hours: ragged at both ends
        var hours = auto with { Granularity = Granularity.Hour };

        var mixed = (await queries.GetOverviewAsync(auto, default), await queries.GetRoutesAsync(auto, default), await queries.GetStatusCodesAsync(auto, default));
        var reads = _store.RollupQueries.ToArray();
        _store.RollupQueries.Clear();
        var plain = (await queries.GetOverviewAsync(hours, default), await queries.GetRoutesAsync(hours, default), await queries.GetStatusCodesAsync(hours, default));

        // Whole days came from day rows, only the two ends from hours: 6 UTC days in between.
        var days = Assert.Single(reads.Take(3), r => r.Granularity == Granularity.Day);
        Assert.Equal((Now.AddDays(-7).Date.AddDays(1), Now.Date), (days.From.UtcDateTime, days.To.UtcDateTime));
        Assert.All(_store.RollupQueries, r => Assert.Equal(Granularity.Hour, r.Granularity));

        Assert.True(mixed.Item1.TotalRequests > 400);
        Assert.Equal(plain.Item1, mixed.Item1);
        Assert.Equal(plain.Item2, mixed.Item2);
        Assert.Equal(plain.Item3, mixed.Item3);
    }

    [Fact]
    public async Task OnlyAnswersWithAPointPerBucketAreLimitedInBuckets()
    {
        var queries = Create();
        var minutes = new AnalyticsQuery { From = Now.AddDays(-30), To = Now, Granularity = Granularity.Minute };
        var allTime = new AnalyticsQuery { From = DateTimeOffset.UnixEpoch, To = Now };

        Assert.Equal("Granularity", (await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetTimeSeriesAsync(minutes, default))).ParamName);
        Assert.Equal("Granularity", (await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetEventsAsync(minutes, default))).ParamName);
        Assert.Equal("From", (await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetTimeSeriesAsync(allTime, default))).ParamName);
        Assert.Equal(0, (await queries.GetOverviewAsync(minutes, default)).TotalRequests);
        Assert.Equal(0, (await queries.GetOverviewAsync(allTime, default)).TotalRequests);
        Assert.Empty(await queries.GetRoutesAsync(allTime, default));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(1_001)]
    public async Task ALimitOutOfRangeIsRejectedNamingLimit(int limit)
    {
        var queries = Create();
        var query = new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Limit = limit };

        Assert.Equal("Limit", (await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetRoutesAsync(query, default))).ParamName);
        Assert.Equal("Limit", (await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetErrorsAsync(query, default))).ParamName);
        Assert.Equal("Limit", (await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetRequestsAsync(query, default))).ParamName);
    }

    [Fact]
    public async Task ANonPositivePageIsRejectedNamingBefore()
    {
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Create().GetRequestsAsync(new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Before = 0 }, default));

        Assert.Equal("Before", error.ParamName);
    }

    [Fact]
    public async Task AHeatmapReadsHoursForLongRangesAndRefusesDaysAndPurgedHours()
    {
        await _store.WriteBatchAsync(TestData.Batch([
            TestData.Request(Now.AddDays(-10).AddHours(3)),     // a Wednesday, 15:00 UTC
            TestData.Request(Now.AddDays(-10).AddHours(3)),
            TestData.Request(Now.AddDays(-2).AddMinutes(-30)),  // a Thursday, 11:30 UTC
        ]), default);
        var queries = Create();

        var heatmap = await queries.GetHeatmapAsync(new AnalyticsQuery { From = Now.AddDays(-60), To = Now }, default);

        Assert.Equal(Granularity.Hour, _store.LastRollupQuery!.Granularity);
        Assert.Equal(168, heatmap.Cells.Count);
        Assert.Equal(2, heatmap.Cells.Single(c => c.DayOfWeek == (int)DayOfWeek.Wednesday && c.Hour == 15).Count);
        Assert.Equal(1, heatmap.Cells.Single(c => c.DayOfWeek == (int)DayOfWeek.Thursday && c.Hour == 11).Count);
        Assert.Equal(3, heatmap.Cells.Sum(c => c.Count));

        var byDay = await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetHeatmapAsync(new AnalyticsQuery { From = Now.AddDays(-1), To = Now, Granularity = Granularity.Day }, default));
        Assert.Equal("Granularity", byDay.ParamName);
        var purged = await Assert.ThrowsAnyAsync<ArgumentException>(() => queries.GetHeatmapAsync(new AnalyticsQuery { From = Now.AddDays(-91), To = Now }, default));
        Assert.Equal("From", purged.ParamName);
    }

    [Fact]
    public async Task ANullQueryIsRejected()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => Create().GetOverviewAsync(null!, default));
    }

    [Theory]
    [InlineData(60, Granularity.Minute)]
    [InlineData(6 * 60, Granularity.Minute)]
    [InlineData((6 * 60) + 1, Granularity.Hour)]
    [InlineData(14 * 24 * 60, Granularity.Hour)]
    [InlineData((14 * 24 * 60) + 1, Granularity.Day)]
    [InlineData(400 * 24 * 60, Granularity.Day)]
    public async Task TheGranularityIsTheCoarsestThatAnswersTheRange(int minutes, Granularity expected)
    {
        var series = await Create().GetTimeSeriesAsync(new AnalyticsQuery { From = Now.AddMinutes(-minutes), To = Now }, default);

        Assert.Equal(expected, series.Granularity);
    }

    [Fact]
    public async Task AShortRangeOlderThanTheMinuteRetentionIsReadFromHours()
    {
        var queries = Create(o => o.Retention.Minute = TimeSpan.FromDays(2));

        var recent = await queries.GetTimeSeriesAsync(new AnalyticsQuery { From = Now.AddDays(-1), To = Now.AddDays(-1).AddHours(1) }, default);
        var old = await queries.GetTimeSeriesAsync(new AnalyticsQuery { From = Now.AddDays(-3), To = Now.AddDays(-3).AddHours(1) }, default);

        Assert.Equal(Granularity.Minute, recent.Granularity);
        Assert.Equal(Granularity.Hour, old.Granularity);
    }

    [Fact]
    public async Task AForcedGranularityIsUsed()
    {
        var series = await Create().GetTimeSeriesAsync(new AnalyticsQuery { From = Now.AddDays(-30), To = Now, Granularity = Granularity.Hour }, default);

        Assert.Equal(Granularity.Hour, series.Granularity);
        Assert.Equal(30 * 24, series.Points.Count);
    }

    [Fact]
    public async Task EveryBucketOfTheRangeIsPresentAndEmptyOnesAreZero()
    {
        // Store one request at 10:07:30; ask for 10:05:20 .. 10:10:00 by minute.
        var batch = TestData.Batch([TestData.Request(Now.AddHours(-2).AddMinutes(7).AddSeconds(30), milliseconds: 42)]);
        await _store.WriteBatchAsync(batch, default);
        var from = Now.AddHours(-2).AddMinutes(5).AddSeconds(20);

        var series = await Create().GetTimeSeriesAsync(new AnalyticsQuery { From = from, To = Now.AddHours(-2).AddMinutes(10) }, default);

        // The range is widened to whole buckets: 10:05 .. 10:10.
        Assert.Equal(Enumerable.Range(5, 5).Select(m => Now.AddHours(-2).AddMinutes(m)), series.Points.Select(p => p.Time));
        Assert.Equal([0L, 0L, 1L, 0L, 0L], series.Points.Select(p => p.Count));
        Assert.All(series.Points.Where(p => p.Count == 0), p => Assert.Equal((0.0, 0.0, 0.0, 0.0), (p.Avg, p.P50, p.P95, p.P99)));
    }

    [Fact]
    public async Task TheOverviewCoversTheWidenedRangeUpToNow()
    {
        var overview = await Create().GetOverviewAsync(new AnalyticsQuery { From = Now.AddMinutes(-30).AddSeconds(-20), To = Now.AddHours(1) }, default);

        Assert.Equal(Now.AddMinutes(-31), overview.From);
        Assert.Equal(Now, overview.To);
        Assert.Equal(0, overview.RequestsPerMinute);
    }

    [Fact]
    public async Task LongLivedRequestsAreCountedButKeptOutOfLatencyUnlessTheirKindIsAsked()
    {
        // 107 quick requests, five WebSockets held 5 s and two event streams held 3 s: the numbers.
        var at = Now.AddMinutes(-10);
        var quick = Enumerable.Range(0, 107).Select(i => TestData.Request(at.AddSeconds(i), route: "/items/{id}", milliseconds: 0.2 + (i % 10) * 0.05)).ToList();
        var sockets = Enumerable.Range(0, 5).Select(i => TestData.Request(at.AddSeconds(i), route: "/hub", status: 101, milliseconds: 5_000 + i * 50) with { Kind = RequestKind.WebSocket }).ToList();
        var streams = Enumerable.Range(0, 2).Select(i => TestData.Request(at.AddSeconds(i), route: "/hub", milliseconds: 3_000) with { Kind = RequestKind.ServerSentEvents }).ToList();
        await _store.WriteBatchAsync(TestData.Batch([.. quick, .. sockets, .. streams]), default);
        var queries = Create();
        var range = new AnalyticsQuery { From = Now.AddHours(-1), To = Now };
        var quickOnly = new FakeStore();
        await quickOnly.WriteBatchAsync(TestData.Batch(quick), default);
        var expected = await new AnalyticsQueries(quickOnly, Options.Create(new RequestAnalyticsOptions()), new FakeTimeProvider(Now)).GetOverviewAsync(range, default);

        var overview = await queries.GetOverviewAsync(range, default);

        Assert.Equal(114, overview.TotalRequests); // counted
        Assert.Equal(expected.Latency, overview.Latency); // but not timed
        Assert.True(overview.Latency.P95 < 1, $"p95 {overview.Latency.P95} ms");
        Assert.Equal(7, overview.Connections.Count);
        Assert.Equal(((5 * 5_100) + (2 * 3_000)) / 7.0, overview.Connections.AvgDuration, 9);
        Assert.Equal(5_200, overview.Connections.MaxDuration);

        var points = (await queries.GetTimeSeriesAsync(range, default)).Points.Where(p => p.Count > 0).ToList();
        Assert.Equal(114, points.Sum(p => p.Count));
        Assert.All(points, p => Assert.True(p.P99 < 1, $"p99 {p.P99} ms at {p.Time:O}"));

        var routes = (await queries.GetRoutesAsync(range, default)).ToDictionary(r => r.Route);
        Assert.Equal((7L, 7L, 0.0, 0.0), (routes["/hub"].Count, routes["/hub"].Connections, routes["/hub"].Avg, routes["/hub"].P95));
        Assert.Equal((107L, 0L), (routes["/items/{id}"].Count, routes["/items/{id}"].Connections));

        // Asked for by kind, a kind's latency is its own, connection lifetimes included.
        var webSockets = await queries.GetOverviewAsync(range with { Kind = RequestKind.WebSocket }, default);
        Assert.Equal(5, webSockets.TotalRequests);
        Assert.InRange(webSockets.Latency.P50, 5_100 * 0.99, 5_100 * 1.01);
        Assert.Equal((5_100.0, 5_200.0), (webSockets.Latency.Avg, webSockets.Latency.Max));
        Assert.Equal((5L, 5_200.0), (webSockets.Connections.Count, webSockets.Connections.MaxDuration));
        var http = await queries.GetOverviewAsync(range with { Kind = RequestKind.Http }, default);
        Assert.Equal((107L, expected.Latency), (http.TotalRequests, http.Latency));
        Assert.Same(ConnectionSummary.None, http.Connections);
    }

    private AnalyticsQueries Create(Action<RequestAnalyticsOptions>? configure = null)
    {
        var options = new RequestAnalyticsOptions();
        configure?.Invoke(options);
        return new AnalyticsQueries(_store, Options.Create(options), new FakeTimeProvider(Now));
    }
}
