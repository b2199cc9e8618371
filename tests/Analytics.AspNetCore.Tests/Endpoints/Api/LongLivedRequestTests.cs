using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Analytics.AspNetCore.Tests.Endpoints.Api;

/// <summary>
/// WebSockets and Server-Sent Events held open beside quick requests, end to end: the connections are counted and
/// summed up on their own, and the latency percentiles stay those of the quick requests unless a kind is asked for.
/// Each connection is held until the test releases it, after the quick requests: the time those took, measured here, is
/// a lower bound of every connection's duration and an upper bound of every quick request's.
/// </summary>
public sealed class LongLivedRequestTests
{
    private const int QuickRequests = 107;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WebSocketsHeldOpenAreConnectionsAndTheirLifetimesStayOutOfThePercentiles()
    {
        const int sockets = 5;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await StartAsync(release.Task, beforeAnalytics: app => app.UseWebSockets());
        var address = new UriBuilder(host.Client.BaseAddress!) { Scheme = "ws", Path = "/ws" }.Uri;
        var clients = Enumerable.Range(0, sockets).Select(_ => new ClientWebSocket()).ToList();

        // A connected client has had the server's 101: every handler is running, and its request being timed, from here.
        await Task.WhenAll(clients.Select(c => c.ConnectAsync(address, default)));
        double held = await SendQuickRequestsAsync(host);
        release.SetResult();
        foreach (var client in clients)
        {
            await client.ReceiveAsync(new byte[16], default); // the server's close
            await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
            client.Dispose();
        }

        await FlushAsync(host, QuickRequests + sockets);
        await AssertConnectionsKeptApartAsync(host, "/ws", "webSocket", sockets, held);
    }

    [Fact]
    public async Task EventStreamsHeldOpenAreConnectionsAndTheirLifetimesStayOutOfThePercentiles()
    {
        const int streams = 2;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await StartAsync(release.Task);
        var responses = new List<(HttpResponseMessage Response, StreamReader Reader)>();
        for (int i = 0; i < streams; i++)
        {
            var response = await host.Client.GetAsync("/events", HttpCompletionOption.ResponseHeadersRead);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            responses.Add((response, reader));

            // The first event arrived: the handler is running, and its request being timed, from here.
            Assert.Equal("data: hello", await reader.ReadLineAsync().WaitAsync(Deadline));
        }

        double held = await SendQuickRequestsAsync(host);
        release.SetResult();
        foreach (var (response, reader) in responses)
        {
            await reader.ReadToEndAsync().WaitAsync(Deadline); // the server ends the stream
            reader.Dispose();
            response.Dispose();
        }

        await FlushAsync(host, QuickRequests + streams);
        await AssertConnectionsKeptApartAsync(host, "/events", "serverSentEvents", streams, held);
    }

    [Theory]
    [InlineData("overview", "kind=socket")]
    [InlineData("routes", "kind=1")]
    [InlineData("timeseries", "kind=http&kind=grpc")]
    [InlineData("requests", "kind=server-sent-events")]
    public async Task AnUnknownKindIsA400ProblemNamingKind(string endpoint, string query)
    {
        await using var host = await EndpointTestApp.StartAsync();

        using var response = await host.Client.GetAsync($"/analytics/api/{endpoint}?range=1h&{query}");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("kind", out _), $"the problem should name 'kind': {errors}");
    }

    private static Task<AnalyticsTestHost> StartAsync(Task release, Action<WebApplication>? beforeAnalytics = null) =>
        AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet("/items/{id:int}", (int id) => Results.Ok(new { id }));
                app.Map("/ws", async (HttpContext context) =>
                {
                    using var socket = await context.WebSockets.AcceptWebSocketAsync();
                    await release;
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
                });
                app.MapGet("/events", () => TypedResults.ServerSentEvents(Events(release)));
                app.MapRequestAnalytics("/analytics");
            },
            beforeAnalytics: beforeAnalytics);

    private static async IAsyncEnumerable<string> Events(Task release)
    {
        yield return "hello";
        await release;
    }

    /// <summary>Sends the quick requests one after the other; returns how long they took in all, in milliseconds.</summary>
    private static async Task<double> SendQuickRequestsAsync(AnalyticsTestHost host)
    {
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; i < QuickRequests; i++)
        {
            using var response = await host.Client.GetAsync($"/items/{i}");
            response.EnsureSuccessStatusCode();
        }

        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static async Task FlushAsync(AnalyticsTestHost host, int requests)
    {
        // A connection is recorded when its handler returns, just after the client saw it close.
        await Wait.UntilAsync(() => host.Pipeline.Accepted == requests, Deadline, $"{requests} requests are recorded");
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
    }

    private static async Task AssertConnectionsKeptApartAsync(AnalyticsTestHost host, string route, string kind, int connections, double held)
    {
        // Durations are stored in whole microseconds: a connection held just over `held` may read a fraction of one less.
        double atLeast = held - 0.001;

        // The ground truth of the quick requests: their own durations, from the request log.
        var log = await host.GetJsonAsync("/analytics/api/requests?range=1h&kind=http&limit=1000");
        var quick = log.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("duration").GetDouble()).Order().ToList();
        Assert.Equal(QuickRequests, quick.Count);
        Assert.True(quick[^1] < held, $"the slowest quick request took {quick[^1]} ms, all of them {held} ms");

        var overview = await host.GetJsonAsync("/analytics/api/overview?range=1h");
        Assert.Equal(QuickRequests + connections, overview.GetProperty("totalRequests").GetInt64());
        var latency = overview.GetProperty("latency");
        // The sketch holds each duration to a tenth of a microsecond, the log to a whole one: 1 % and 1 µs apart at most.
        double exactP95 = TestData.ExactQuantile(quick, 0.95);
        double p95 = latency.GetProperty("p95").GetDouble();
        Assert.True(Math.Abs(p95 - exactP95) <= (exactP95 * 0.01) + 0.001, $"p95 {p95} ms, exact {exactP95} ms");
        Assert.Equal(quick[^1], latency.GetProperty("max").GetDouble(), 3);
        Assert.Equal(quick.Average(), latency.GetProperty("avg").GetDouble(), 3);
        var summary = overview.GetProperty("connections");
        Assert.Equal(connections, summary.GetProperty("count").GetInt64());
        Assert.True(summary.GetProperty("avgDuration").GetDouble() >= atLeast, $"avg {summary.GetProperty("avgDuration").GetDouble()} ms, held {held} ms");
        Assert.True(summary.GetProperty("maxDuration").GetDouble() >= atLeast, $"max {summary.GetProperty("maxDuration").GetDouble()} ms, held {held} ms");

        var series = await host.GetJsonAsync("/analytics/api/timeseries?range=1h");
        var points = series.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(QuickRequests + connections, points.Sum(p => p.GetProperty("count").GetInt64()));
        Assert.All(points, p => Assert.True(p.GetProperty("p99").GetDouble() < held, $"p99 {p.GetProperty("p99").GetDouble()} ms at {p.GetProperty("time").GetString()}"));

        var routes = (await host.GetJsonAsync("/analytics/api/routes?range=1h")).EnumerateArray().ToDictionary(r => r.GetProperty("route").GetString()!);
        Assert.Equal(connections, routes[route].GetProperty("count").GetInt64());
        Assert.Equal(connections, routes[route].GetProperty("connections").GetInt64());
        Assert.Equal(0, routes["/items/{id:int}"].GetProperty("connections").GetInt64());

        // Asked for by kind, the latency is the connections' own.
        var only = await host.GetJsonAsync($"/analytics/api/overview?range=1h&kind={kind}");
        Assert.Equal(connections, only.GetProperty("totalRequests").GetInt64());
        Assert.True(only.GetProperty("latency").GetProperty("p50").GetDouble() >= atLeast * 0.99, $"{kind} p50 {only.GetProperty("latency")}, held {held} ms");
        Assert.True(only.GetProperty("latency").GetProperty("max").GetDouble() >= atLeast, $"{kind} max {only.GetProperty("latency")}, held {held} ms");
        Assert.Equal(connections, only.GetProperty("connections").GetProperty("count").GetInt64());
        var rows = (await host.GetJsonAsync($"/analytics/api/requests?range=1h&kind={kind}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(connections, rows.Count);
        Assert.All(rows, r => Assert.Equal((route, kind), (r.GetProperty("route").GetString(), r.GetProperty("kind").GetString())));
    }
}
