using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Analytics.AspNetCore.Tests.Endpoints.Api;

public class AnalyticsApiTests(AnalyticsApiTests.SharedHost shared) : IClassFixture<AnalyticsApiTests.SharedHost>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static readonly string[] ReadEndpoints =
        ["overview", "timeseries", "routes", "consumers", "releases", "slos", "status-codes", "errors", "heatmap", "requests", "events",
            "uptime"];

    /// <summary>The reads of requests, which alone are kept per consumer and release (DESIGN §9).</summary>
    private static readonly string[] RequestReads =
        ["overview", "timeseries", "routes", "consumers", "releases", "slos", "status-codes", "heatmap", "requests"];

    [Fact]
    public async Task EveryEndpointAnswersTheGroundTruthAfterAFlush()
    {
        await using var host = await EndpointTestApp.StartAsync();
        for (int i = 1; i <= 12; i++)
        {
            (await host.Client.GetAsync($"/items/{i}")).Dispose();
        }

        for (int i = 0; i < 3; i++)
        {
            (await host.Client.GetAsync("/status/503")).Dispose();
            (await host.Client.GetAsync("/fail")).Dispose();
        }

        (await host.Client.GetAsync("/nowhere")).Dispose();
        var tracker = host.App.Services.GetRequiredService<IAnalyticsTracker>();
        tracker.Track(new AnalyticsEvent("deploy") { Success = true, Duration = TimeSpan.FromSeconds(30) });
        tracker.Track(new AnalyticsEvent("deploy") { Success = false, Duration = TimeSpan.FromSeconds(90) });
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        var overview = await host.GetJsonAsync("/analytics/api/overview?range=1h");
        Assert.Equal(19, overview.GetProperty("totalRequests").GetInt64());
        Assert.Equal(6, overview.GetProperty("errorRequests").GetInt64());
        Assert.Equal(6.0 / 19, overview.GetProperty("errorRate").GetDouble(), 12);
        Assert.EndsWith("Z", overview.GetProperty("from").GetString());

        var routes = (await host.GetJsonAsync("/analytics/api/routes?range=1h")).EnumerateArray()
            .ToDictionary(r => (r.GetProperty("route").GetString(), r.GetProperty("method").GetString()), r => (r.GetProperty("count").GetInt64(), r.GetProperty("errors").GetInt64()));
        Assert.Equal(
            new Dictionary<(string?, string?), (long, long)>
            {
                [("/items/{id:int}", "GET")] = (12, 0),
                [("/status/{code:int}", "GET")] = (3, 3),
                [("/fail", "GET")] = (3, 3),
                [("(unmatched)", "GET")] = (1, 0),
            },
            routes);

        var codes = (await host.GetJsonAsync("/analytics/api/status-codes?range=1h")).EnumerateArray()
            .ToDictionary(c => c.GetProperty("statusCode").GetInt32(), c => c.GetProperty("count").GetInt64());
        Assert.Equal(new Dictionary<int, long> { [200] = 12, [503] = 3, [500] = 3, [404] = 1 }, codes);

        var errors = (await host.GetJsonAsync("/analytics/api/errors?range=1h")).EnumerateArray().ToList();
        Assert.Equal(2, errors.Count);
        var thrown = Assert.Single(errors, e => e.GetProperty("exceptionType").ValueKind == JsonValueKind.String);
        Assert.Equal(("System.InvalidOperationException", "boom", 3L), (thrown.GetProperty("exceptionType").GetString(), thrown.GetProperty("message").GetString(), thrown.GetProperty("count").GetInt64()));

        var series = await host.GetJsonAsync("/analytics/api/timeseries?range=1h");
        Assert.Equal("minute", series.GetProperty("granularity").GetString());
        Assert.Equal(19, series.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("count").GetInt64()));

        var heatmap = await host.GetJsonAsync("/analytics/api/heatmap?range=1h");
        Assert.Equal(168, heatmap.GetProperty("cells").GetArrayLength());
        Assert.Equal(19, heatmap.GetProperty("cells").EnumerateArray().Sum(c => c.GetProperty("count").GetInt64()));

        var log = await host.GetJsonAsync("/analytics/api/requests?range=1h&status=5xx&limit=4");
        Assert.Equal(4, log.GetProperty("items").GetArrayLength());
        var next = log.GetProperty("next").GetInt64();
        var rest = await host.GetJsonAsync($"/analytics/api/requests?range=1h&status=5xx&limit=4&before={next}");
        Assert.Equal(2, rest.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next").ValueKind);

        var events = await host.GetJsonAsync("/analytics/api/events?range=1h");
        var deploy = Assert.Single(events.GetProperty("events").EnumerateArray());
        Assert.Equal(("deploy", 2L, 1L, 1L), (deploy.GetProperty("name").GetString(), deploy.GetProperty("count").GetInt64(), deploy.GetProperty("successes").GetInt64(), deploy.GetProperty("failures").GetInt64()));
        Assert.Equal(60_000, deploy.GetProperty("avg").GetDouble(), 6);

        // The group's own traffic (14 calls above) is never recorded.
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(19, (await host.GetJsonAsync("/analytics/api/overview?range=1h")).GetProperty("totalRequests").GetInt64());
    }

    [Fact]
    public async Task TheJsonShapeOfEveryEndpointIsPinned()
    {
        await using var host = await EndpointTestApp.StartAsync(o =>
        {
            o.ConsumerHeader = "X-Client-Id";
            o.Slos.Add(new Analytics.ServiceLevels.SloOptions { Name = "items", Route = "/items/{id:int}", Objective = 0.99, LatencyThreshold = TimeSpan.FromMilliseconds(300) });
        });
        host.Client.DefaultRequestHeaders.Add("X-Client-Id", "acme"); // so that the consumers list has an item to describe

        // The objectives count whole minutes up to the current one, so the pinned shape (no attainment yet) holds only
        // while the request's minute is still the current one: begin with time left in it, as a minute that rolled over
        // before the reads would count the request and turn those nulls into numbers.
        await Wait.UntilAsync(() => TimeProvider.System.GetUtcNow().Second < 40, Deadline, "at least 20 s left in this minute");
        (await host.Client.GetAsync("/items/1")).Dispose();
        (await host.Client.GetAsync("/fail")).Dispose();
        host.App.Services.GetRequiredService<IAnalyticsTracker>().Track(new AnalyticsEvent("deploy") { Duration = TimeSpan.FromSeconds(1) });
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        await PublishHealthReportsAsync(host); // so that the uptime list has a check with a closed incident to describe

        var shapes = new StringBuilder();
        foreach (var endpoint in ReadEndpoints)
        {
            var json = await host.GetJsonAsync($"/analytics/api/{endpoint}?range=1h");
            shapes.Append("GET /api/").Append(endpoint).Append('\n');
            JsonShape.Describe(json, "$", shapes);
        }

        Approvals.Verify(Path.Combine("Endpoints", "Api", "ApiShapes"), shapes.ToString(), "The JSON shape of the API");
    }

    private static async Task PublishHealthReportsAsync(AnalyticsTestHost host)
    {
        var publisher = host.App.Services.GetServices<IHealthCheckPublisher>().OfType<UptimeHealthCheckPublisher>().Single();
        foreach (var status in new[] { HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Healthy, HealthStatus.Healthy })
        {
            var entry = new HealthReportEntry(status, "db is " + status, TimeSpan.FromMilliseconds(2), null, null);
            await publisher.PublishAsync(new HealthReport(new Dictionary<string, HealthReportEntry> { ["db"] = entry }, entry.Duration), default);
        }
    }

    public static TheoryData<string, string, string> BadInputs()
    {
        var data = new TheoryData<string, string, string>();
        (string Query, string Parameter)[] bad =
        [
            ("range=2h", "range"),
            ("range=1h&range=6h", "range"),
            ("range=1h&from=2026-01-01T00:00:00Z", "range"),
            ("from=yesterday", "from"),
            ("from=2026-01-01T00:00:00Z&to=not-a-time", "to"),
            ("to=2026-01-01T00:00:00Z", "from"),
            ("from=2026-11-21T10:00:00Z&to=2026-11-21T09:00:00Z", "from"),
            ("from=1990-01-01T00:00:00Z&to=1990-01-02T00:00:00Z", "from"),
            ("from=0001-01-01T00:00:00Z", "from"),
            ("granularity=week", "granularity"),
            ("status=6xx", "status"),
            ("status=abc", "status"),
            ("status=50", "status"),
            ("limit=0", "limit"),
            ("limit=1001", "limit"),
            ("limit=-1", "limit"),
            ("limit=ten", "limit"),
            ("limit=99999999999999999999", "limit"),
            ("before=0", "before"),
            ("before=x", "before"),
            ("route=" + new string('a', 2_000), "route"),
            ("kind=socket", "kind"),
            ("kind=1", "kind"),
            ("kind=http&kind=grpc", "kind"),
        ];
        foreach (var endpoint in ReadEndpoints)
        {
            foreach (var (query, parameter) in bad)
            {
                data.Add(endpoint, query, parameter);
            }
        }

        foreach (var endpoint in RequestReads)
        {
            data.Add(endpoint, "consumer=" + new string('c', 101), "consumer");
            data.Add(endpoint, "release=" + new string('r', 101), "release");
            data.Add(endpoint, "consumer=a&consumer=b", "consumer");
        }

        foreach (var endpoint in new[] { "overview", "routes", "consumers" })
        {
            data.Add(endpoint, "compare=tomorrow", "compare");
            data.Add(endpoint, "compare=previous-period&compare=previous-release", "compare");
        }

        foreach (var endpoint in new[] { "events", "errors", "health-metrics", "uptime" })
        {
            data.Add(endpoint, "consumer=alpha", "consumer");
            data.Add(endpoint, "release=1.0", "release");
        }

        data.Add("heatmap", "granularity=day", "granularity");
        data.Add("timeseries", "range=90d&granularity=minute", "granularity");
        data.Add("events", "range=90d&granularity=minute", "granularity");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task EachBadParameterIsA400ProblemNamingIt(string endpoint, string query, string parameter)
    {
        var host = shared.Host;

        using var response = await host.Client.GetAsync($"/analytics/api/{endpoint}?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), $"the problem should name '{parameter}': {problem}");
    }

    [Fact]
    public async Task NoQueryStringCanProduceAServerError()
    {
        var host = shared.Host;
        string[] names =
        [
            "range", "from", "to", "granularity", "status", "limit", "before", "route", "method", "environment", "instance", "name", "kind",
            "consumer", "release", "compare", "x",
        ];
        string[] values = ["", "1h", "webSocket", "HTTP", "serverSentEvents", "24h", "7d", "-1", "0", "1", "5xx", "500", "9999999999999999999999", "2026-11-21T10:00:00Z", "2026-11-21", "%00", "%E2%82%AC", "%FF%FE", "'; DROP TABLE requests; --", "{id}", "minute", "day", "1e308", "NaN", "\u0000", "previous-period", "previous-release", "(other)"];
        var random = new Random(11);
        for (int i = 0; i < 300; i++)
        {
            var endpoint = ReadEndpoints[random.Next(ReadEndpoints.Length)];
            var query = string.Join('&', Enumerable.Range(0, random.Next(0, 5)).Select(_ => $"{names[random.Next(names.Length)]}={Uri.EscapeDataString(values[random.Next(values.Length)])}"));
            using var response = await host.Client.GetAsync($"/analytics/api/{endpoint}?{query}");
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{endpoint}?{query} answered {(int)response.StatusCode}");
        }
    }

    /// <summary>One host for the many read-only validation cases; starting Kestrel per case would dominate the suite.</summary>
    public sealed class SharedHost : IAsyncLifetime
    {
        private AnalyticsTestHost? _host;

        public AnalyticsTestHost Host => _host ?? throw new InvalidOperationException("The host starts in InitializeAsync.");

        public async Task InitializeAsync() => _host = await EndpointTestApp.StartAsync();

        public async Task DisposeAsync()
        {
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }
        }
    }
}
