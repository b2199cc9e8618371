using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Analytics.AspNetCore.Tests.Recording;

public class RequestCaptureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static void MapTestApi(WebApplication app)
    {
        app.MapGet("/items/{id:int}", (int id) => Results.Ok(new { id }));
        app.MapPost("/echo", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            return Results.Text(await reader.ReadToEndAsync());
        });
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.MapGet("/delay/{ms:int}", async (int ms) =>
        {
            await Task.Delay(ms);
            return Results.NoContent();
        });
        app.MapGet("/bytes/{count:int}", async (int count, HttpResponse response) =>
        {
            // Streamed without a Content-Length: the middleware must count what is written.
            await response.Body.WriteAsync(new byte[count]);
        });
        app.MapGet("/fail", string () => throw new InvalidOperationException("boom"));
        app.MapGet("/health", () => "ok");
    }

    private sealed record Expected(string Method, string Route, string Path, int Status, long RequestBytes, long ResponseBytes);

    [Fact]
    public async Task AKnownMixOfTrafficIsStoredAsExactlyOneRowPerRequest()
    {
        await using var host = await AnalyticsTestHost.StartAsync(MapTestApi);
        var expected = new List<Expected>();

        async Task Send(HttpMethod method, string path, HttpStatusCode status, string route, long responseBytes, string? body = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body);
            }

            using var response = await host.Client.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
            expected.Add(new Expected(method.Method, route, path, (int)status, body?.Length ?? 0, responseBytes));
        }

        for (var i = 1; i <= 5; i++)
        {
            await Send(HttpMethod.Get, $"/items/{i}", HttpStatusCode.OK, "/items/{id:int}", $"{{\"id\":{i}}}".Length);
        }

        await Send(HttpMethod.Post, "/echo", HttpStatusCode.OK, "/echo", 11, body: "hello world");
        await Send(HttpMethod.Get, "/status/404", HttpStatusCode.NotFound, "/status/{code:int}", 0);
        await Send(HttpMethod.Get, "/status/503", HttpStatusCode.ServiceUnavailable, "/status/{code:int}", 0);
        await Send(HttpMethod.Get, "/bytes/12345", HttpStatusCode.OK, "/bytes/{count:int}", 12_345);
        await Send(HttpMethod.Get, "/fail", HttpStatusCode.InternalServerError, "/fail", 0);
        await Send(HttpMethod.Get, "/fail", HttpStatusCode.InternalServerError, "/fail", 0);
        await Send(HttpMethod.Get, "/no/such/page/1", HttpStatusCode.NotFound, "(unmatched)", 0);
        await Send(HttpMethod.Get, "/no/such/page/2", HttpStatusCode.NotFound, "(unmatched)", 0);
        await Send(HttpMethod.Delete, "/items/3", HttpStatusCode.MethodNotAllowed, "405 HTTP Method Not Supported", 0);
        await Send(HttpMethod.Get, "/delay/150", HttpStatusCode.NoContent, "/delay/{ms:int}", 0);

        // Excluded by default: never recorded.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/favicon.ico")).StatusCode);

        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        var rows = await StoredRequests.ReadAllAsync(host.DatabasePath);

        Assert.Equal(
            expected.OrderBy(e => e.Path).ThenBy(e => e.Method),
            rows.Select(r => new Expected(r.Method, r.Route, r.Path, r.StatusCode, r.RequestBytes, r.ResponseBytes)).OrderBy(e => e.Path).ThenBy(e => e.Method));
        Assert.Equal(expected.Count, host.Pipeline.Accepted);

        var delayed = Assert.Single(rows, r => r.Path == "/delay/150");
        // Task.Delay counts whole milliseconds of the tick count, so 150 ms of it can be 149.x ms of stopwatch time.
        Assert.True(delayed.Duration >= TimeSpan.FromMilliseconds(149), $"duration {delayed.Duration} is shorter than the server-side delay");

        Assert.All(rows.Where(r => r.Path == "/fail"), r =>
        {
            Assert.Equal("System.InvalidOperationException", r.ExceptionType);
            Assert.Equal("boom", r.ExceptionMessage);
        });
        Assert.All(rows.Where(r => r.Path != "/fail"), r => Assert.Null(r.ExceptionType));
        Assert.All(rows, r =>
        {
            Assert.Equal("127.0.0.0", r.ClientIp); // anonymized by default
            Assert.Equal("HTTP/1.1", r.Protocol);
            Assert.Equal(RequestKind.Http, r.Kind);
            Assert.Equal("Testing", r.Environment);
            Assert.Equal(Environment.MachineName, r.Instance);
            Assert.Equal(TimeSpan.Zero, r.Timestamp.Offset);
        });
    }

    [Fact]
    public async Task TheQueryStringIsDroppedUnlessCaptureIsOn()
    {
        await using var off = await AnalyticsTestHost.StartAsync(MapTestApi);
        await using var on = await AnalyticsTestHost.StartAsync(MapTestApi, o => o.CaptureQueryString = true);

        await off.Client.GetAsync("/items/1?secret=1");
        await on.Client.GetAsync("/items/1?secret=1");
        await off.Pipeline.FlushAsync();
        await on.Pipeline.FlushAsync();

        Assert.Equal("/items/1", Assert.Single(await StoredRequests.ReadAllAsync(off.DatabasePath)).Path);
        Assert.Equal("/items/1?secret=1", Assert.Single(await StoredRequests.ReadAllAsync(on.DatabasePath)).Path);
    }

    [Fact]
    public async Task UserIdTraceIdUserAgentAndFullAddressAreRecordedWhenAvailable()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await AnalyticsTestHost.StartAsync(
            MapTestApi,
            o => o.AnonymizeClientIp = false,
            afterAnalytics: app => app.Use((context, next) =>
            {
                // Stands in for authentication, which runs inside the analytics middleware.
                if (context.Request.Headers.TryGetValue("X-Test-User", out var user))
                {
                    context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.ToString())], "Test"));
                }

                return next(context);
            }));
        const string TraceId = "0af7651916cd43dd8448eb211c80319c";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/items/1");
        request.Headers.Add("traceparent", $"00-{TraceId}-b7ad6b7169203331-01");
        request.Headers.Add("X-Test-User", "alice");
        request.Headers.UserAgent.ParseAdd("analytics-tests/1.0");

        await host.Client.SendAsync(request);
        await host.Client.GetAsync("/items/2");
        await host.Pipeline.FlushAsync();
        var rows = await StoredRequests.ReadAllAsync(host.DatabasePath);

        var identified = Assert.Single(rows, r => r.Path == "/items/1");
        Assert.Equal("alice", identified.UserId);
        Assert.Equal(TraceId, identified.TraceId);
        Assert.Equal("analytics-tests/1.0", identified.UserAgent);
        Assert.Equal("127.0.0.1", identified.ClientIp);
        Assert.Null(Assert.Single(rows, r => r.Path == "/items/2").UserId);
    }

    [Fact]
    public async Task AnExceptionReachesOuterMiddlewareAsTheSameInstance()
    {
        var thrown = new InvalidOperationException("the original");
        Exception? caught = null;
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.MapGet("/throw", string () => throw thrown),
            beforeAnalytics: app => app.Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (Exception ex)
                {
                    caught = ex;
                    context.Response.StatusCode = 599;
                }
            }));

        var response = await host.Client.GetAsync("/throw");
        await host.Pipeline.FlushAsync();

        Assert.Equal(599, (int)response.StatusCode);
        Assert.Same(thrown, caught);
        Assert.Equal(500, Assert.Single(await StoredRequests.ReadAllAsync(host.DatabasePath)).StatusCode);
    }

    [Fact]
    public async Task TheLibrarysOwnEndpointsAreNotRecordedBetweenOrdinaryRequests()
    {
        // Alternating: the middleware remembers the last ordinary endpoint, and each of its own must still be told apart.
        await using var host = await EndpointTestApp.StartAsync();
        for (var i = 1; i <= 3; i++)
        {
            (await host.Client.GetAsync($"/items/{i}")).Dispose();
            await host.GetJsonAsync("/analytics/api/overview?range=1h");
            await host.GetJsonAsync("/analytics/api/overview?range=24h");
        }

        await host.Pipeline.FlushAsync();
        var overview = await host.GetJsonAsync("/analytics/api/overview?range=1h");

        Assert.Equal(3, overview.GetProperty("totalRequests").GetInt64());
        Assert.Equal(3, host.Pipeline.Accepted);
    }

    [Fact]
    public async Task AWebSocketIsOneRequestMarkedAsSuchLastingAsLongAsTheConnection()
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.Map("/ws", async (HttpContext context) =>
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[16];
                await socket.ReceiveAsync(buffer, default);
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, default);
            }),
            beforeAnalytics: app => app.UseWebSockets());
        using var client = new System.Net.WebSockets.ClientWebSocket();
        var address = new UriBuilder(host.Client.BaseAddress!) { Scheme = "ws", Path = "/ws" }.Uri;

        await client.ConnectAsync(address, default);
        await client.SendAsync("hi"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, default);
        await client.ReceiveAsync(new byte[16], default); // the server's close
        await client.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, default);
        await Wait.UntilAsync(() => host.Pipeline.Accepted == 1, Deadline, "the server side of the socket finishes");
        await host.Pipeline.FlushAsync();

        var row = Assert.Single(await StoredRequests.ReadAllAsync(host.DatabasePath));
        Assert.Equal(RequestKind.WebSocket, row.Kind);
        Assert.Equal("/ws", row.Route);
        Assert.Equal(101, row.StatusCode);
    }
}
