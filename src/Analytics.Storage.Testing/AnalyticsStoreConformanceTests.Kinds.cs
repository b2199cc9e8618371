using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// Request kinds: rollup rows are kept apart by kind (a WebSocket's lifetime never lands in a plain request's sketch),
/// every request read filters by kind, and the queries leave long-lived requests out of latency unless asked for them.
/// </summary>
public abstract partial class AnalyticsStoreConformanceTests<TFactory>
{
    /// <summary>Request kinds are kept apart in every rollup, and every request read filters by kind.</summary>
    [Fact]
    public async Task KindsAreKeptApartInRollupsAndEveryRequestReadFiltersByThem()
    {
        // One route, method and status served three ways, over two batches: the second must add to each kind's own rows.
        RequestRecord[] Traffic(int second) =>
        [
            Request(Start.AddSeconds(second), route: "/hub", milliseconds: 2),
            Request(Start.AddSeconds(second + 1), route: "/hub", milliseconds: 4),
            Request(Start.AddSeconds(second + 2), route: "/hub", milliseconds: 5_000) with { Kind = RequestKind.WebSocket },
            Request(Start.AddSeconds(second + 3), route: "/hub", milliseconds: 3_000) with { Kind = RequestKind.ServerSentEvents },
            Request(Start.AddSeconds(second + 4), route: "/hub", status: 500, exceptionType: "System.IO.IOException",
                exceptionMessage: "gone") with { Kind = RequestKind.ServerSentEvents },
            Request(Start.AddSeconds(second + 5), route: "/hub", status: 500, exceptionType: "System.IO.IOException",
                exceptionMessage: "gone"),
        ];
        await Store.WriteBatchAsync(Batch(Traffic(0)), default);
        await Store.WriteBatchAsync(Batch(Traffic(10)), default);

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var all = RollupRange(granularity, Start, Start.AddDays(1), includeSketches: true);
            var rows = await Store.ReadRequestRollupsAsync(all with { MaxStatusCode = 299 }, default).ToListAsync();
            Assert.Equal([RequestKind.Http, RequestKind.WebSocket, RequestKind.ServerSentEvents], rows.Select(r => r.Kind).Order());
            var http = Assert.Single(rows, r => r.Kind == RequestKind.Http);
            Assert.Equal((4L, 12_000L, 4_000L), (http.Count, http.DurationSumMicroseconds, http.DurationMaxMicroseconds));
            Assert.Equal(4_000, http.Latency!.Max, 0.01 * 4_000);
            var socket = Assert.Single(rows, r => r.Kind == RequestKind.WebSocket);
            Assert.Equal(
                (2L, 10_000_000L, 5_000_000L, 2L),
                (socket.Count, socket.DurationSumMicroseconds, socket.DurationMinMicroseconds, socket.Latency!.Count));

            // Each filter reads its kind's rows only: requests and errors rolled up, and the database's own sums.
            async Task<long> Count(RequestKind kind) =>
                (await Store.ReadRequestRollupsAsync(all with { Kind = kind }, default).ToListAsync()).Sum(r => r.Count);
            Assert.Equal(
                (6L, 2L, 4L, 0L),
                (await Count(RequestKind.Http), await Count(RequestKind.WebSocket),
                    await Count(RequestKind.ServerSentEvents), await Count(RequestKind.Grpc)));
            var errors = await Store.ReadErrorRollupsAsync(all, default).ToListAsync();
            Assert.Equal([(RequestKind.Http, 2L), (RequestKind.ServerSentEvents, 2L)], errors.Select(e => (e.Kind, e.Count)).Order());
            var streamErrors = Assert.Single(
                await Store.ReadErrorRollupsAsync(all with { Kind = RequestKind.ServerSentEvents }, default).ToListAsync());
            Assert.Equal(("System.IO.IOException", 2L), (streamErrors.ExceptionType, streamErrors.Count));
            if (Store.Capabilities?.RequestCounts is { } counts)
            {
                Assert.Equal(4L, (await counts.ReadRequestCountsByBucketAsync(
                    all with { Kind = RequestKind.ServerSentEvents }, default).ToListAsync()).Sum(b => b.Count));
                Assert.Equal(
                    [(200, 2L), (500, 2L)],
                    (await counts.ReadRequestCountsByStatusAsync(
                        all with { Kind = RequestKind.ServerSentEvents }, default).ToListAsync())
                        .Select(c => (c.StatusCode, c.Count))
                        .Order());
            }
        }

        var streams = await Store.ReadRequestsAsync(new RawQuery { Kind = RequestKind.ServerSentEvents }, default);
        Assert.Equal(4, streams.Count);
        Assert.All(streams, s => Assert.Equal(RequestKind.ServerSentEvents, s.Request.Kind));
        Assert.Equal(6, (await Store.ReadRequestsAsync(new RawQuery { Kind = RequestKind.Http, Route = "/hub" }, default)).Count);
        Assert.Empty(await Store.ReadRequestsAsync(new RawQuery { Kind = RequestKind.Grpc }, default));
    }

    /// <summary>
    /// Queries count long-lived connections but leave them out of the latency unless their kind is asked for.
    /// </summary>
    [Fact]
    public async Task QueriesCountConnectionsButLeaveThemOutOfLatencyUnlessTheirKindIsAsked()
    {
        // The shape: 107 quick requests, five WebSockets held 5 s, two event streams held 3 s, in one hour.
        var from = Start.AddHours(1);
        var quick = Enumerable.Range(0, 107)
            .Select(i => Request(from.AddSeconds(i * 20), route: "/items/{id}", milliseconds: 0.2 + (i % 10 * 0.05)))
            .ToList();
        var sockets = Enumerable.Range(0, 5)
            .Select(i => Request(from.AddMinutes(i * 7), route: "/hub", status: 101, milliseconds: 5_000 + (i * 50)) with
            {
                Kind = RequestKind.WebSocket
            });
        var streams = Enumerable.Range(0, 2)
            .Select(i => Request(from.AddMinutes(i * 13), route: "/events", milliseconds: 3_000) with
            {
                Kind = RequestKind.ServerSentEvents
            });
        await Store.WriteBatchAsync(Batch([.. quick, .. sockets, .. streams]), default);
        var queries = Queries(Start.AddDays(1));
        var range = new AnalyticsQuery { From = from, To = from.AddHours(1) };
        var sorted = quick.Select(r => r.Duration.TotalMilliseconds).Order().ToList();

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var overview = await queries.GetOverviewAsync(range with { Granularity = granularity }, default);
            Assert.Equal(114, overview.TotalRequests);
            Assert.InRange(overview.Latency.P95, ExactQuantile(sorted, 0.95) * 0.99, ExactQuantile(sorted, 0.95) * 1.01);
            Assert.Equal(sorted.Average(), overview.Latency.Avg, 9);
            Assert.Equal(sorted[^1], overview.Latency.Max, 9);
            Assert.Equal(7, overview.Connections.Count);
            Assert.Equal(((5 * 5_100) + (2 * 3_000)) / 7.0, overview.Connections.AvgDuration, 9);
            Assert.Equal(5_200, overview.Connections.MaxDuration);

            var sockets5 = await queries.GetOverviewAsync(range with { Granularity = granularity, Kind = RequestKind.WebSocket }, default);
            Assert.Equal(5, sockets5.TotalRequests);
            Assert.InRange(sockets5.Latency.P50, 5_100 * 0.99, 5_100 * 1.01);
            Assert.Equal((5_100.0, 5_200.0), (sockets5.Latency.Avg, sockets5.Latency.Max));
        }

        var series = await queries.GetTimeSeriesAsync(range, default);
        Assert.Equal(114, series.Points.Sum(p => p.Count));
        Assert.All(series.Points, p => Assert.True(p.P99 < 1, $"p99 {p.P99} ms at {p.Time:O}"));

        var routes = (await queries.GetRoutesAsync(range, default)).ToDictionary(r => r.Route);
        Assert.Equal((5L, 5L, 0.0), (routes["/hub"].Count, routes["/hub"].Connections, routes["/hub"].P99));
        var hub = Assert.Single(await queries.GetRoutesAsync(range with { Kind = RequestKind.WebSocket }, default));
        Assert.InRange(hub.P95, 5_200 * 0.99, 5_200 * 1.01);

        // The kind filter reaches every request read.
        var events = range with { Kind = RequestKind.ServerSentEvents };
        Assert.Equal([(200, 2L)], (await queries.GetStatusCodesAsync(events, default)).Select(c => (c.StatusCode, c.Count)));
        Assert.Equal(2, (await queries.GetHeatmapAsync(events, default)).Cells.Sum(c => c.Count));
        Assert.Equal(["/events", "/events"], (await queries.GetRequestsAsync(events, default)).Items.Select(i => i.Route));
        Assert.Equal(107, (await queries.GetStatusCodesAsync(range with { Kind = RequestKind.Http }, default)).Sum(c => c.Count));
    }
}
