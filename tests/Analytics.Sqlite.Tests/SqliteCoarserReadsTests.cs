using Analytics.Queries;
using Analytics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Sqlite.Tests;

/// <summary>
/// Totals over a range read its whole coarser buckets from the coarser rollups (hours in a range of minutes, days in a
/// range of hours) and only the ragged ends at the range's own granularity. On the SQLite store, with consumers,
/// releases and error groups that start and stop inside those coarser buckets, every answer must be the one the
/// range's own granularity gives alone.
/// </summary>
public sealed class SqliteCoarserReadsTests : IDisposable
{
    // Not on a whole minute or hour, so that both ranges below are ragged at both ends.
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 40, 30, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<TimeSpan, Granularity> Ranges => new()
    {
        { TimeSpan.FromHours(6), Granularity.Minute },
        { TimeSpan.FromDays(7), Granularity.Hour },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task TotalsFromCoarserRowsInTheMiddleEqualThoseOfTheRangesOwnGranularity(TimeSpan span, Granularity own)
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        await store.InitializeAsync(default);
        await store.WriteBatchAsync(Batch(Traffic()), default);
        var queries = new AnalyticsQueries(store, Options.Create(new RequestAnalyticsOptions()), new FakeTimeProvider(Now));
        var auto = new AnalyticsQuery { From = Now - span, To = Now, Limit = 1_000 };
        var forced = auto with { Granularity = own };

        var overview = await queries.GetOverviewAsync(auto, default);
        Assert.True(overview.TotalRequests > 300);
        Assert.Equal(await queries.GetOverviewAsync(forced, default), overview);
        Assert.Equal(await queries.GetRoutesAsync(forced, default), await queries.GetRoutesAsync(auto, default));
        Assert.Equal(await queries.GetStatusCodesAsync(forced, default), await queries.GetStatusCodesAsync(auto, default));
        Assert.Equal(await queries.GetErrorsAsync(forced, default), await queries.GetErrorsAsync(auto, default));

        // Consumers "gone" and "early" and releases "r1" to "r3" are first or last seen inside a whole coarser bucket.
        var consumers = await queries.GetConsumersAsync(auto, default);
        Assert.Contains("gone", consumers.Select(c => c.Consumer));
        Assert.Equal(await queries.GetConsumersAsync(forced, default), consumers);
        var releases = await queries.GetReleasesAsync(auto, default);
        Assert.True(releases.Count >= 2);
        Assert.Equal(await queries.GetReleasesAsync(forced, default), releases);
        Assert.Equal(
            await queries.GetReleasesAsync(forced with { Consumer = "steady" }, default),
            await queries.GetReleasesAsync(auto with { Consumer = "steady" }, default));
    }

    /// <summary>
    /// What the totals answer (request totals by status class and release, consumer totals) equals what the rows
    /// answer: the same traffic in the SQLite store and in the fake store, which reads rows only, gives the same answers
    /// to every call that may read totals, alone, for one consumer and for one release. The overview for one consumer
    /// once read consumer totals, which keep no status class, and its Apdex came out different in the sixth digit.
    /// </summary>
    [Theory]
    [InlineData(6)]
    [InlineData(7 * 24)]
    public async Task TheTotalsAnswerAsTheRowsDo(int hours)
    {
        var span = TimeSpan.FromHours(hours);
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        await store.InitializeAsync(default);
        var rows = new FakeStore(allCapabilities: true);
        var traffic = Traffic();
        await store.WriteBatchAsync(Batch(traffic), default);
        await rows.WriteBatchAsync(Batch(traffic), default);
        var options = Options.Create(new RequestAnalyticsOptions());
        var fromTotals = new AnalyticsQueries(store, options, new FakeTimeProvider(Now));
        var fromRows = new AnalyticsQueries(rows, options, new FakeTimeProvider(Now));

        foreach (var query in new[]
        {
            new AnalyticsQuery { From = Now - span, To = Now, Limit = 1_000 },
            new AnalyticsQuery { From = Now - span, To = Now, Limit = 1_000, Consumer = "steady" },
            new AnalyticsQuery { From = Now - span, To = Now, Limit = 1_000, Release = "r2" },
        })
        {
            var overview = await fromTotals.GetOverviewAsync(query, default);
            Assert.True(overview.TotalRequests > 100);
            Assert.NotNull(overview.Apdex);
            Assert.Equal(await fromRows.GetOverviewAsync(query, default), overview);
            Assert.Equal(
                (await fromRows.GetTimeSeriesAsync(query, default)).Points, (await fromTotals.GetTimeSeriesAsync(query, default)).Points);
            Assert.Equal((await fromRows.GetHeatmapAsync(query, default)).Cells, (await fromTotals.GetHeatmapAsync(query, default)).Cells);
            Assert.Equal(await fromRows.GetConsumersAsync(query, default), await fromTotals.GetConsumersAsync(query, default));
            Assert.Equal(await fromRows.GetReleasesAsync(query, default), await fromTotals.GetReleasesAsync(query, default));
        }
    }

    [Fact]
    public async Task AnAvailabilityObjectiveCountsTheSameFromTheBucketTotals()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        await store.InitializeAsync(default);
        var traffic = Traffic();
        await store.WriteBatchAsync(Batch(traffic), default);
        var options = new RequestAnalyticsOptions();
        options.Slos.Add(new() { Name = "availability", Objective = 0.99, Window = TimeSpan.FromDays(3) });
        var queries = new AnalyticsQueries(store, Options.Create(options), new FakeTimeProvider(Now));

        var status = Assert.Single(await queries.GetSlosAsync(new AnalyticsQuery { From = Now.AddHours(-1), To = Now }, default));

        // Exact: the window ends at the current minute and starts 3 days before it, ragged at both ends.
        var end = Granularity.Minute.Floor(Now);
        var window = traffic.Where(r => r.Timestamp >= end.AddDays(-3) && r.Timestamp < end).ToArray();
        Assert.Equal(window.Length, status.Total);
        Assert.Equal(window.Count(r => r.StatusCode < 500), status.Good);
    }

    /// <summary>
    /// Nine days: every hour on the hour's 7th minute, and every minute of the last eight hours; two routes, some
    /// failures with two messages, consumers that stop 3 h 17 min and 3 days 19 h before now, releases that change
    /// 4 days 22 h and 2 h 23 min before now.
    /// </summary>
    private static List<RequestRecord> Traffic()
    {
        var times = new List<DateTimeOffset>();
        for (var at = Granularity.Hour.Floor(Now).AddDays(-9).AddMinutes(7); at < Now.AddHours(-8); at = at.AddHours(1))
        {
            times.Add(at);
        }

        for (var at = Now.AddHours(-8); at < Now; at = at.AddMinutes(1))
        {
            times.Add(at);
        }

        var records = new List<RequestRecord>();
        for (var i = 0; i < times.Count; i++)
        {
            var at = times[i];
            bool fails = i % 11 == 0;
            records.Add(Request(
                at,
                route: i % 3 == 0 ? "/orders" : "/items/{id}",
                status: fails ? 500 : i % 5 == 0 ? 404 : 200,
                milliseconds: 1 + ((i * 37) % 900),
                exceptionType: fails ? "System.InvalidOperationException" : null,
                exceptionMessage: fails ? (i % 2 == 0 ? "even" : "odd") : null,
                responseBytes: i) with
            {
                ClientIp = $"10.0.{i % 50}.{i % 7}",
                Consumer = (i % 4) switch
                {
                    0 or 2 => "steady",
                    1 => at < Now.AddHours(-3).AddMinutes(-17) ? "gone" : null,
                    _ => at < Now.AddDays(-4).AddHours(5) ? "early" : null,
                },
                Release = at < Now.AddDays(-5).AddHours(2) ? "r1" : at < Now.AddHours(-2).AddMinutes(-23) ? "r2" : "r3",
            });
        }

        return records;
    }
}
