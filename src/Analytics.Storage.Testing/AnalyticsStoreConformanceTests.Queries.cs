using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The public queries (<see cref="IAnalyticsQueries"/>) over the store: percentiles within 1 %, the same totals at
/// every granularity, and every query against a ground truth computed from the records themselves.
/// </summary>
public abstract partial class AnalyticsStoreConformanceTests<TFactory>
{
    /// <summary>
    /// Percentiles read through the queries are within 1 % of the exact ones at every granularity, for several
    /// distributions.
    /// </summary>
    /// <param name="distribution">The latency distribution.</param>
    [Theory]
    [InlineData("uniform")]
    [InlineData("log-normal")]
    [InlineData("bimodal")]
    [InlineData("pareto")]
    public async Task PercentilesAreWithinOnePercentAtEveryGranularity(string distribution)
    {
        // 100 000 latencies spread over two days (crossing a day boundary), written in batches of 2 000 as the writer would.
        const int count = 100_000;
        var random = new Random(distribution.Length); // fixed per distribution, so a failure reproduces
        var from = Start.AddHours(12);
        var ticks = new long[count];
        for (int i = 0; i < count; i++)
        {
            // Whole microseconds, as the middleware records them.
            ticks[i] = Math.Max(1, (long)(Sample(distribution, random) * 1_000)) * TimeSpan.TicksPerMicrosecond;
        }

        foreach (var chunk in Enumerable.Range(0, count).Chunk(2_000))
        {
            await Store.WriteBatchAsync(
                Batch(
                    chunk.Select(i =>
                        Request(from.AddSeconds(i * 1.7), milliseconds: ticks[i] / (double)TimeSpan.TicksPerMillisecond)),
                    keepRaw: false),
                default);
        }

        var sorted = ticks.Select(t => t / (double)TimeSpan.TicksPerMillisecond).Order().ToArray();
        var queries = Queries(from.AddDays(3));
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var overview = await queries.GetOverviewAsync(
                new AnalyticsQuery { From = Start, To = Start.AddDays(3), Granularity = granularity }, default);
            Assert.Equal(count, overview.TotalRequests);
            foreach (var (q, actual) in new[] { (0.50, overview.Latency.P50), (0.95, overview.Latency.P95), (0.99, overview.Latency.P99) })
            {
                double exact = ExactQuantile(sorted, q);
                Assert.True(Math.Abs(actual - exact) <= exact * 0.01, $"{distribution} p{q * 100} at {granularity}: {actual} ms vs exact {exact} ms");
            }

            Assert.Equal(sorted[^1], overview.Latency.Max, 3);
            Assert.Equal(sorted.Average(), overview.Latency.Avg, 3);
        }
    }

    /// <summary>
    /// A range that crosses hour and day boundaries has the same totals, and the same latency, at every granularity.
    /// </summary>
    [Fact]
    public async Task ARangeCrossingHourAndDayBoundariesHasTheSameTotalsAtEveryGranularity()
    {
        // Traffic from 22:00 on day 1 to 02:00 on day 3, every 37 s, with errors and bytes.
        var requests = new List<RequestRecord>();
        var start = Start.AddHours(22);
        for (int i = 0; start.AddSeconds(i * 37) < Start.AddDays(2).AddHours(2); i++)
        {
            requests.Add(Request(
                start.AddSeconds(i * 37),
                route: i % 3 == 0 ? "/a" : "/b",
                status: i % 11 == 0 ? 500 : 200,
                milliseconds: 1 + (i % 97),
                requestBytes: i % 5,
                responseBytes: i % 7));
        }

        await Store.WriteBatchAsync(Batch(requests), default);
        var queries = Queries(Start.AddDays(4));

        // Day-aligned, so every granularity covers exactly the same instants.
        var range = new AnalyticsQuery { From = Start, To = Start.AddDays(3) };
        var overviews = new List<AnalyticsOverview>();
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var overview = await queries.GetOverviewAsync(range with { Granularity = granularity }, default);
            var series = await queries.GetTimeSeriesAsync(range with { Granularity = granularity }, default);
            var routes = await queries.GetRoutesAsync(range with { Granularity = granularity }, default);
            Assert.Equal(overview.TotalRequests, series.Points.Sum(p => p.Count));
            Assert.Equal(overview.ErrorRequests, series.Points.Sum(p => p.Errors));
            Assert.Equal(overview.TotalRequests, routes.Sum(r => r.Count));
            overviews.Add(overview);
        }

        Assert.All(overviews, o =>
        {
            Assert.Equal(requests.Count, o.TotalRequests);
            Assert.Equal(requests.Count(r => r.IsError), o.ErrorRequests);
            Assert.Equal(requests.Sum(r => r.RequestBytes), o.BytesIn);
            Assert.Equal(requests.Sum(r => r.ResponseBytes), o.BytesOut);
            Assert.Equal(overviews[0].Latency, o.Latency);
        });

        // Hour-aligned across midnight: minutes and hours agree too.
        var midnight = new AnalyticsQuery { From = Start.AddHours(23), To = Start.AddHours(26) };
        var byMinute = await queries.GetOverviewAsync(midnight with { Granularity = Granularity.Minute }, default);
        var byHour = await queries.GetOverviewAsync(midnight with { Granularity = Granularity.Hour }, default);
        Assert.Equal(requests.Count(r => r.Timestamp >= midnight.From && r.Timestamp < midnight.To), byMinute.TotalRequests);
        Assert.Equal(byMinute, byHour);
    }

    /// <summary>
    /// Every query (overview, time series, routes, status codes, errors, heatmap, filters, request log) equals what the
    /// written requests say.
    /// </summary>
    [Fact]
    public async Task EveryQueryEqualsTheGroundTruth()
    {
        var random = new Random(7);
        string[] routes = ["/", "/items/{id}", "/users/{userId}/orders/{orderId}", "(unmatched)"];
        string[] methods = ["GET", "POST"];
        int[] statuses = [200, 200, 200, 201, 404, 500, 503];
        var requests = new List<RequestRecord>();
        for (int i = 0; i < 3_000; i++)
        {
            int status = statuses[random.Next(statuses.Length)];
            requests.Add(Request(
                Start.AddHours(1).AddSeconds(random.Next(0, 3 * 3600)),
                route: routes[random.Next(routes.Length)],
                method: methods[random.Next(methods.Length)],
                status: status,
                milliseconds: random.Next(1, 500),
                exceptionType: status == 500 && random.Next(2) == 0 ? "System.InvalidOperationException" : null,
                exceptionMessage: "message",
                environment: "prod",
                instance: i % 2 == 0 ? "web-1" : "web-2"));
        }

        foreach (var chunk in requests.Chunk(700))
        {
            await Store.WriteBatchAsync(Batch(chunk), default);
        }

        var queries = Queries(Start.AddHours(5));
        var range = new AnalyticsQuery { From = Start.AddHours(1), To = Start.AddHours(4) };

        var overview = await queries.GetOverviewAsync(range, default);
        Assert.Equal(requests.Count, overview.TotalRequests);
        Assert.Equal(requests.Count(r => r.IsError), overview.ErrorRequests);
        Assert.Equal((double)requests.Count(r => r.IsError) / requests.Count, overview.ErrorRate, 12);
        Assert.Equal(requests.Count / 180.0, overview.RequestsPerMinute, 9);
        Assert.Equal(requests.Max(r => r.Duration.TotalMilliseconds), overview.Latency.Max);

        var series = await queries.GetTimeSeriesAsync(range, default);
        Assert.Equal(Granularity.Minute, series.Granularity);
        Assert.Equal(180, series.Points.Count);
        Assert.Equal(Enumerable.Range(0, 180).Select(m => range.From.AddMinutes(m)), series.Points.Select(p => p.Time));
        var perMinute = requests.GroupBy(r => FloorToMinute(r.Timestamp)).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.All(series.Points, p => Assert.Equal(perMinute.GetValueOrDefault(p.Time), p.Count));

        var routeStats = await queries.GetRoutesAsync(range with { Limit = 100 }, default);
        var expectedRoutes = requests
            .GroupBy(r => (r.Route, r.Method))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Errors: (long)g.Count(r => r.IsError)));
        Assert.Equal(expectedRoutes.Count, routeStats.Count);
        Assert.All(routeStats, r => Assert.Equal(expectedRoutes[(r.Route, r.Method)], (r.Count, r.Errors)));
        Assert.Equal(routeStats.OrderByDescending(r => r.Count).Select(r => r.Count), routeStats.Select(r => r.Count));
        Assert.Equal(3, (await queries.GetRoutesAsync(range with { Limit = 3 }, default)).Count);

        var codes = await queries.GetStatusCodesAsync(range, default);
        Assert.Equal(
            requests.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => (long)g.Count()),
            codes.ToDictionary(c => c.StatusCode, c => c.Count));

        var errors = await queries.GetErrorsAsync(range with { Limit = 1_000 }, default);
        var expectedErrors = requests.Where(r => r.IsError).GroupBy(r => (r.Route, r.Method, r.StatusCode, r.ExceptionType))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), First: g.Min(r => r.Timestamp), Last: g.Max(r => r.Timestamp)));
        Assert.Equal(expectedErrors.Count, errors.Count);
        Assert.All(errors, e => Assert.Equal(expectedErrors[(e.Route, e.Method, e.StatusCode, e.ExceptionType)], (e.Count, e.FirstSeen, e.LastSeen)));

        var heatmap = await queries.GetHeatmapAsync(range, default);
        Assert.Equal(168, heatmap.Cells.Count);
        var perCell = requests
            .GroupBy(r => ((int)r.Timestamp.UtcDateTime.DayOfWeek, r.Timestamp.UtcDateTime.Hour))
            .ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.All(heatmap.Cells, c => Assert.Equal(perCell.GetValueOrDefault((c.DayOfWeek, c.Hour)), c.Count));

        // Filters, including a status class and the instance.
        var filtered = await queries.GetOverviewAsync(
            range with { Route = "/items/{id}", Method = "get", Status = "5xx", Instance = "web-2" }, default);
        Assert.Equal(
            requests.Count(r => r.Route == "/items/{id}" && r.Method == "GET" && r.StatusCode >= 500 && r.Instance == "web-2"),
            filtered.TotalRequests);
        Assert.Equal(0, (await queries.GetOverviewAsync(range with { Environment = "staging" }, default)).TotalRequests);

        // The request log pages through every matching raw row once, newest first.
        var log = new List<RequestLogEntry>();
        long? before = null;
        do
        {
            var page = await queries.GetRequestsAsync(range with { Status = "404", Limit = 50, Before = before }, default);
            log.AddRange(page.Items);
            before = page.Next;
        }
        while (before is not null);

        Assert.Equal(requests.Count(r => r.StatusCode == 404), log.Count);
        Assert.Equal(log.Count, log.Select(l => l.Id).Distinct().Count());
        Assert.Equal(log.OrderByDescending(l => l.Time).Select(l => l.Time), log.Select(l => l.Time));
    }

    /// <summary>
    /// Events over time have a point per bucket, empty ones included, with their outcomes and durations.
    /// </summary>
    [Fact]
    public async Task EventsOverTimeHaveEveryBucketAndTheirOutcomes()
    {
        await Store.WriteBatchAsync(Batch([
            new EventRecord { Timestamp = Start.AddMinutes(1), Name = "deploy", Success = true, Duration = TimeSpan.FromSeconds(30) },
            new EventRecord { Timestamp = Start.AddMinutes(1), Name = "deploy", Success = false, Duration = TimeSpan.FromSeconds(90) },
            new EventRecord { Timestamp = Start.AddMinutes(3), Name = "deploy", Success = true },
            new EventRecord { Timestamp = Start.AddMinutes(2), Name = "signup" },
        ]), default);

        var events = await Queries(Start.AddHours(1)).GetEventsAsync(new AnalyticsQuery { From = Start, To = Start.AddMinutes(5) }, default);

        Assert.Equal(Granularity.Minute, events.Granularity);
        Assert.Equal(["deploy", "signup"], events.Events.Select(e => e.Name));
        var deploy = events.Events[0];
        Assert.Equal((3L, 2L, 1L), (deploy.Count, deploy.Successes, deploy.Failures));
        Assert.Equal(60_000, deploy.Avg!.Value, 6);
        Assert.Equal([0L, 2L, 0L, 1L, 0L], deploy.Points.Select(p => p.Count));
        Assert.Equal([0L, 1L, 0L, 0L, 0L], deploy.Points.Select(p => p.Failures));
        Assert.Null(events.Events[1].P95);

        var onlySignups = await Queries(Start.AddHours(1)).GetEventsAsync(
            new AnalyticsQuery { From = Start, To = Start.AddMinutes(5), EventName = "signup" }, default);
        Assert.Equal("signup", Assert.Single(onlySignups.Events).Name);
    }

    private static DateTimeOffset FloorToMinute(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    private static double Sample(string distribution, Random random)
    {
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return distribution switch
        {
            "uniform" => 1 + (random.NextDouble() * 999),
            "log-normal" => Math.Exp(3 + Normal()),
            "bimodal" => random.NextDouble() < 0.8 ? 5 + Math.Abs(Normal()) : 400 + (50 * Math.Abs(Normal())),
            "pareto" => 2 / Math.Pow(1 - random.NextDouble(), 1 / 1.2),
            _ => throw new ArgumentOutOfRangeException(nameof(distribution)),
        };
    }
}
