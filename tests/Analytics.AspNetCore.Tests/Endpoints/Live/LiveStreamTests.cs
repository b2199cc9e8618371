using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Analytics.AspNetCore.Endpoints;
using Analytics.Live;
using Analytics.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints.Live;

/// <summary><c>GET/DELETE {prefix}/api/stream</c> on a real Kestrel: the events, ids, replay, cap, duration and close of DESIGN §6.</summary>
public class LiveStreamTests
{
    private const string Stream = "/analytics/api/stream";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AConnectionGetsConnectedThenEachRequestAndEventWithIncreasingIdsAndNoCaching()
    {
        await using var host = await EndpointTestApp.StartAsync();
        await using var stream = await SseReader.OpenAsync(host.Client, Stream);

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(stream.Response.Headers.CacheControl?.NoCache, stream.Response.Headers.CacheControl?.ToString());
        Assert.Equal("no", Assert.Single(stream.Response.Headers.GetValues("X-Accel-Buffering")));

        var connected = await stream.NextAsync("connected");
        Assert.Same(connected, stream.Received.First());
        Assert.Matches("^[0-9a-f]{32}$", connected.Json.GetProperty("connectionId").GetString());

        (await host.Client.GetAsync("/items/5")).Dispose();
        host.App.Services.GetRequiredService<IAnalyticsTracker>().Track(
            new AnalyticsEvent("deploy") { Properties = new Dictionary<string, object?> { ["version"] = "1.2.3" }, Duration = TimeSpan.FromSeconds(2), Success = true });
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        var request = (await stream.NextAsync("request")).Json;
        Assert.Equal(("/items/{id:int}", "/items/5", "GET", 200), (request.GetProperty("route").GetString(), request.GetProperty("path").GetString(), request.GetProperty("method").GetString(), request.GetProperty("statusCode").GetInt32()));
        var tracked = (await stream.NextAsync("event")).Json;
        Assert.Equal(("deploy", "1.2.3", 2_000.0, true), (tracked.GetProperty("name").GetString(), tracked.GetProperty("properties").GetProperty("version").GetString(), tracked.GetProperty("duration").GetDouble(), tracked.GetProperty("success").GetBoolean()));

        var ids = stream.Received.Select(e => long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(ids.Order().Distinct(), ids);
    }

    [Fact]
    public async Task StatsComeEveryStatsIntervalWithTheLastFiveMinutesAndPingsEveryPingInterval()
    {
        await using var host = await EndpointTestApp.StartAsync(o =>
        {
            o.StatsInterval = TimeSpan.FromSeconds(1);
            o.StreamPingInterval = TimeSpan.FromSeconds(1);
        });
        (await host.Client.GetAsync("/items/1")).Dispose();
        (await host.Client.GetAsync("/fail")).Dispose();
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        await using var stream = await SseReader.OpenAsync(host.Client, Stream);

        var stats = (await stream.NextAsync("stats")).Json;
        Assert.Equal((2L, 1L), (stats.GetProperty("totalRequests").GetInt64(), stats.GetProperty("errorRequests").GetInt64()));
        var window = stats.GetProperty("to").GetDateTimeOffset() - stats.GetProperty("from").GetDateTimeOffset();
        Assert.InRange(window, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(6)); // the start is floored to its minute

        var ping = (await stream.NextAsync("ping")).Json;
        Assert.True(ping.TryGetProperty("time", out _));
        Assert.False(ping.TryGetProperty("reason", out _));
        await stream.NextAsync(e => e.Type == "stats" && !ReferenceEquals(e, stream.Received.First(x => x.Type == "stats")), "second stats event");
    }

    [Fact]
    public async Task AReconnectWithLastEventIdGetsOnlyWhatItMissed()
    {
        await using var host = await EndpointTestApp.StartAsync();
        string lastSeen;
        await using (var first = await SseReader.OpenAsync(host.Client, Stream))
        {
            await first.NextAsync("connected");
            (await host.Client.GetAsync("/items/1")).Dispose();
            await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
            lastSeen = (await first.NextAsync("request")).Id!;
        }

        (await host.Client.GetAsync("/items/2")).Dispose();
        (await host.Client.GetAsync("/items/3")).Dispose();
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        await using var resumed = await SseReader.OpenAsync(host.Client, Stream, lastSeen);
        var connected = await resumed.NextAsync("connected");
        Assert.Equal(lastSeen, connected.Id);
        Assert.Equal("/items/2", (await resumed.NextAsync("request")).Json.GetProperty("path").GetString());
        Assert.Equal("/items/3", (await resumed.NextAsync("request")).Json.GetProperty("path").GetString());

        // A fresh connection starts now: nothing is replayed.
        (await host.Client.GetAsync("/items/4")).Dispose();
        await using var fresh = await SseReader.OpenAsync(host.Client, Stream);
        await fresh.NextAsync("connected");
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        (await host.Client.GetAsync("/items/5")).Dispose();
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        var firstRequest = (await fresh.NextAsync("request")).Json.GetProperty("path").GetString();
        Assert.True(firstRequest is "/items/4" or "/items/5", firstRequest); // /items/4 only if it was committed after connecting
        Assert.DoesNotContain(fresh.Received, e => e.Type == "request" && e.Json.GetProperty("path").GetString() is "/items/1" or "/items/2" or "/items/3");
    }

    [Theory]
    [InlineData("not-a-number")]
    [InlineData("-5")]
    [InlineData("99999999999999999999999")]
    [InlineData("")]
    public async Task ALastEventIdThatIsNotOursIsIgnored(string lastEventId)
    {
        await using var host = await EndpointTestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, Stream);
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: connected", await reader.ReadLineAsync().WaitAsync(Deadline));
    }

    [Theory]
    [InlineData("garbage", "text/event-stream")]
    [InlineData("text/event-stream;q=abc", "text/event-stream")]
    [InlineData(";;;,,,", "text/event-stream")]
    [InlineData("*/*", "text/event-stream")]
    [InlineData("application/json, text/event-stream", "text/event-stream")]
    [InlineData("application/json;q=0.5", "application/json")]
    public async Task AnyAcceptHeaderGetsAStreamOrASnapshotNeverAnError(string accept, string expected)
    {
        await using var host = await EndpointTestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, Stream);
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AcceptJsonGivesOneSnapshot()
    {
        await using var host = await EndpointTestApp.StartAsync();
        (await host.Client.GetAsync("/items/1")).Dispose();
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        await using var open = await SseReader.OpenAsync(host.Client, Stream);
        await open.NextAsync("connected");

        using var request = new HttpRequestMessage(HttpMethod.Get, Stream);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var snapshot = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, snapshot.GetProperty("subscribers").GetInt32());
        Assert.Equal(1, snapshot.GetProperty("stats").GetProperty("totalRequests").GetInt64());
        Assert.True(snapshot.GetProperty("lastEventId").GetInt64() >= long.Parse(open.Received.First().Id!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task PastTheCapAConnectionIsRefusedWith503AndRetryAfter()
    {
        await using var host = await EndpointTestApp.StartAsync(o => o.MaxStreamSubscribers = 2);
        await using var a = await SseReader.OpenAsync(host.Client, Stream);
        await using var b = await SseReader.OpenAsync(host.Client, Stream);
        await a.NextAsync("connected");
        await b.NextAsync("connected");

        using var refused = await host.Client.GetAsync(Stream);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(10), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("MaxStreamSubscribers", await refused.Content.ReadAsStringAsync());

        // A connection that leaves frees its slot.
        await a.DisposeAsync();
        var feed = host.App.Services.GetRequiredService<Analytics.Live.LiveFeed>();
        await Analytics.Testing.Wait.UntilAsync(() => feed.SubscriberCount == 1, Deadline, "the server sees the connection leave");
        Assert.Equal(HttpStatusCode.OK, await TryConnectAsync(host));
    }

    [Fact]
    public async Task DeleteClosesEveryConnectionWithARetryHint()
    {
        await using var host = await EndpointTestApp.StartAsync();
        await using var a = await SseReader.OpenAsync(host.Client, Stream);
        await using var b = await SseReader.OpenAsync(host.Client, Stream);
        await a.NextAsync("connected");
        await b.NextAsync("connected");

        using var response = await host.Client.DeleteAsync(Stream);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("closed").GetInt32());
        foreach (var stream in new[] { a, b })
        {
            var last = await stream.NextAsync("ping");
            Assert.Equal(("closed", 2_000), (last.Json.GetProperty("reason").GetString(), last.Retry));
            await stream.EndAsync();
        }
    }

    [Fact]
    public async Task AReconnectWithTheClosingPingsIdGetsWhatWasPublishedAfterTheClose()
    {
        await using var host = await EndpointTestApp.StartAsync();
        await using var first = await SseReader.OpenAsync(host.Client, Stream);
        await first.NextAsync("connected");
        (await host.Client.GetAsync("/items/1")).Dispose();
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        var seen = await first.NextAsync("request");

        (await host.Client.DeleteAsync(Stream)).Dispose();
        var closing = await first.NextAsync(e => e.Type == "ping" && e.Retry is not null, "closing ping");
        (await host.Client.GetAsync("/items/2")).Dispose(); // published while the client is away
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        // The closing ping repeats the last id sent, so reconnecting with it (as a browser does) replays /items/2.
        Assert.Equal(seen.Id, closing.Id);
        await using var second = await SseReader.OpenAsync(host.Client, Stream, closing.Id);
        var replayed = await second.NextAsync("request");
        Assert.Equal("/items/2", replayed.Json.GetProperty("path").GetString());
    }

    [Fact]
    public async Task AReplayPassesTheRequestCapAndKeepsTheLatestRequests()
    {
        await using var host = await EndpointTestApp.StartAsync();
        var feed = host.App.Services.GetRequiredService<LiveFeed>();
        await using var watcher = await SseReader.OpenAsync(host.Client, Stream);
        await watcher.NextAsync("connected");
        string lastSeen;
        await using (var first = await SseReader.OpenAsync(host.Client, Stream))
        {
            lastSeen = (await first.NextAsync("connected")).Id!;
        }

        // Missed while away: more requests than a connection gets in a second, then an event (never capped) to wait on.
        var missed = RequestAnalyticsDefaults.StreamRequestsPerSecond + 100;
        feed.Publish(
            [.. Enumerable.Range(0, missed).Select(i => new RequestRecord
            {
                Timestamp = DateTimeOffset.UtcNow, Method = "GET", Route = "/r/{i}", Path = $"/r/{i}", StatusCode = 200, Duration = TimeSpan.FromMilliseconds(1),
            })],
            [new EventRecord { Timestamp = DateTimeOffset.UtcNow, Name = "marker" }]);
        await watcher.NextAsync("event"); // in the ring once the fan-out has passed it

        await using var resumed = await SseReader.OpenAsync(host.Client, Stream, lastSeen);
        await resumed.NextAsync("event");

        var replayed = resumed.Received.Where(e => e.Type == "request").ToList();
        Assert.Equal(RequestAnalyticsDefaults.StreamRequestsPerSecond, replayed.Count);
        Assert.Equal($"/r/{missed - RequestAnalyticsDefaults.StreamRequestsPerSecond}", replayed[0].Json.GetProperty("path").GetString());
        Assert.Equal(100, replayed[0].Json.GetProperty("dropped").GetInt64());
        Assert.Equal($"/r/{missed - 1}", replayed[^1].Json.GetProperty("path").GetString());
    }

    [Fact]
    public async Task StreamsClosedByDeleteCountTowardTheCapUntilTheirConnectionsEnd()
    {
        await using var host = await EndpointTestApp.StartAsync(
            o => o.MaxStreamSubscribers = 2,
            configureBuilder: SmallSendBuffers.Apply);
        var feed = host.App.Services.GetRequiredService<LiveFeed>();
        using var a = await StalledClientAsync(host);
        using var b = await StalledClientAsync(host);
        await Analytics.Testing.Wait.UntilAsync(() => feed.SubscriberCount == 2, Deadline, "both stalled streams are open");
        var padding = new string('x', 64 * 1024);
        feed.Publish([], [.. Enumerable.Range(0, 20).Select(i => new EventRecord
        {
            Timestamp = DateTimeOffset.UtcNow, Name = "big", PropertiesJson = $"{{\"padding\":\"{padding}\"}}",
        })]);
        var published = feed.LastId;
        await Analytics.Testing.Wait.UntilAsync(() => feed.FannedOutThrough >= published, Deadline, "the events are queued");

        using (var closed = await host.Client.DeleteAsync(Stream))
        {
            Assert.Equal(2, JsonDocument.Parse(await closed.Content.ReadAsStringAsync()).RootElement.GetProperty("closed").GetInt32());
        }

        // Closed, but neither client has read what was queued for it: both connections are still open and count.
        Assert.True(feed.QueuedBytes > 0, "the closed streams still have events to send");
        using (var refused = await host.Client.GetAsync(Stream, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(LiveStream.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        }

        a.Dispose();
        b.Dispose();
        await Analytics.Testing.Wait.UntilAsync(() => feed.ConnectionCount == 0, Deadline, "the server sees both clients leave");
        Assert.Equal(0, feed.QueuedBytes);
        Assert.Equal(HttpStatusCode.OK, await TryConnectAsync(host));
    }

    [Fact]
    public async Task AConnectionEndsAfterMaxStreamDurationWithARetryHint()
    {
        await using var host = await EndpointTestApp.StartAsync(o => o.MaxStreamDuration = TimeSpan.FromSeconds(1));
        await using var stream = await SseReader.OpenAsync(host.Client, Stream);

        var last = await stream.NextAsync(e => e.Type == "ping" && e.Retry is not null, "closing ping");

        Assert.Equal(("maxDuration", 2_000), (last.Json.GetProperty("reason").GetString(), last.Retry));
        await stream.EndAsync();
    }

    [Fact]
    public async Task StoppingTheHostEndsOpenStreamsInsteadOfWaitingForThem()
    {
        var host = await EndpointTestApp.StartAsync();
        await using (host)
        {
            await using var stream = await SseReader.OpenAsync(host.Client, Stream);
            await stream.NextAsync("connected");

            // The host's shutdown timeout is 30 s: an open stream holding it up would fail the deadline.
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(15));
            await stream.EndAsync();
        }
    }

    [Fact]
    public async Task TheStreamIsLockedDownLikeTheRestOfTheGroup()
    {
        await using var host = await EndpointTestApp.StartAsync();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Delete })
        {
            using var request = new HttpRequestMessage(method, Stream);
            request.Headers.Add(EndpointTestApp.RemoteHeader, "203.0.113.5");
            using var response = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task ThePayloadShapesOfTheStreamArePinned()
    {
        await using var host = await EndpointTestApp.StartAsync(o => o.StatsInterval = TimeSpan.FromSeconds(1));
        await using var stream = await SseReader.OpenAsync(host.Client, Stream);
        await stream.NextAsync("connected");
        (await host.Client.GetAsync("/fail")).Dispose();
        host.App.Services.GetRequiredService<IAnalyticsTracker>().Track(
            new AnalyticsEvent("deploy") { Properties = new Dictionary<string, object?> { ["version"] = "1" }, UserId = "u1", Duration = TimeSpan.FromSeconds(1), Success = false });
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        await stream.NextAsync("request");
        await stream.NextAsync("event");

        // The shape of a stats event that counted the request: one sent before the flush (every second) has counted
        // nothing, and its apdex is null.
        var stats = await stream.NextAsync(
            e => e.Type == "stats" && e.Json.GetProperty("totalRequests").GetInt64() > 0, "a stats event counting the request");

        using var snapshotRequest = new HttpRequestMessage(HttpMethod.Get, Stream);
        snapshotRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var snapshot = await host.Client.SendAsync(snapshotRequest);
        using var closed = await host.Client.DeleteAsync(Stream);
        var closing = await stream.NextAsync(e => e.Type == "ping" && e.Retry is not null, "closing ping");

        var shapes = new StringBuilder();
        foreach (var type in new[] { "connected", "request", "event", "stats" })
        {
            shapes.Append("event: ").Append(type).Append('\n');
            JsonShape.Describe((type == "stats" ? stats : stream.Received.First(e => e.Type == type)).Json, "$", shapes);
        }

        shapes.Append("event: ping (closing)\n");
        JsonShape.Describe(closing.Json, "$", shapes);
        shapes.Append("GET /api/stream (Accept: application/json)\n");
        JsonShape.Describe(JsonDocument.Parse(await snapshot.Content.ReadAsStringAsync()).RootElement, "$", shapes);
        shapes.Append("DELETE /api/stream\n");
        JsonShape.Describe(JsonDocument.Parse(await closed.Content.ReadAsStringAsync()).RootElement, "$", shapes);

        Approvals.Verify(Path.Combine("Endpoints", "Live", "StreamShapes"), shapes.ToString(), "The JSON shape of the live stream");
    }

    /// <summary>Opens a stream on a raw socket with a small receive buffer, and never reads it.</summary>
    private static async Task<TcpClient> StalledClientAsync(AnalyticsTestHost host)
    {
        var client = new TcpClient { ReceiveBufferSize = 4_096 };
        await client.ConnectAsync(host.Client.BaseAddress!.Host, host.Client.BaseAddress.Port);
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
            $"GET {Stream} HTTP/1.1\r\nHost: {host.Client.BaseAddress.Authority}\r\nAccept: text/event-stream\r\n\r\n"));
        return client;
    }

    private static async Task<HttpStatusCode> TryConnectAsync(AnalyticsTestHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Stream);
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }
}
