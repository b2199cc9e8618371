using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Analytics.Live;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// <c>GET {prefix}/api/stream</c> (DESIGN §6): Server-Sent Events from the <see cref="LiveFeed"/>, or one JSON snapshot
/// for <c>Accept: application/json</c>; and <c>DELETE {prefix}/api/stream</c>, which closes every connection.
/// </summary>
internal static class LiveStream
{
    /// <summary>How long a client waits before reconnecting after the server ended its stream.</summary>
    internal static readonly TimeSpan ReconnectAfter = TimeSpan.FromSeconds(2);

    /// <summary>What a refused client is told to wait: connections last up to an hour, so a slot frees at random.</summary>
    internal const int RetryAfterSeconds = 10;

    public static async Task<IResult> Get(HttpContext context, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var feed = services.GetRequiredService<LiveFeed>();
        var options = services.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value;
        if (WantsSnapshot(context.Request))
        {
            var stats = await services.GetRequiredService<LiveFeedService>().GetStatsAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(new LiveSnapshot(feed.LastId, feed.SubscriberCount, stats), AnalyticsJsonContext.Default.LiveSnapshot);
        }

        var subscriber = feed.TrySubscribe(LastEventId(context.Request));
        if (subscriber is null)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return AnalyticsProblem.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Too many live-stream connections",
                detail: $"The live stream already has its maximum of {options.MaxStreamSubscribers} connections " +
                    "(RequestAnalytics:MaxStreamSubscribers). Retry later.");
        }

        // Released when the response ends even if the stream below never starts.
        context.Response.RegisterForDispose(subscriber);
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no"; // nginx would otherwise hold events back in its buffer

        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        return TypedResults.ServerSentEvents(Stream(
            subscriber,
            feed,
            options.MaxStreamDuration,
            services.GetRequiredService<TimeProvider>(),
            stopping,
            context.RequestAborted));
    }

    public static Task<IResult> Delete(HttpContext context, CancellationToken cancellationToken)
    {
        var closed = context.RequestServices.GetRequiredService<LiveFeed>().CloseAll();
        return Task.FromResult<IResult>(TypedResults.Json(new StreamsClosed(closed), AnalyticsJsonContext.Default.StreamsClosed));
    }

    private static async IAsyncEnumerable<SseItem<string>> Stream(
        LiveSubscriber subscriber,
        LiveFeed feed,
        TimeSpan maxDuration,
        TimeProvider timeProvider,
        CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken aborted)
    {
        using var owned = subscriber;
        yield return Item(
            "connected",
            subscriber.ConnectedId,
            JsonSerializer.Serialize(
                new LiveConnected(subscriber.ConnectionId), AnalyticsJsonContext.Default.LiveConnected));

        using var expiry = new CancellationTokenSource(maxDuration, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping, expiry.Token);

        // The token is looked at between messages too: a client slower than the feed always has some queued, and would
        // otherwise outlive its duration and hold up the host's shutdown.
        var lastSent = subscriber.ConnectedId;
        while (!linked.IsCancellationRequested && await WaitAsync(subscriber, linked.Token).ConfigureAwait(false))
        {
            while (!linked.IsCancellationRequested && subscriber.TryRead(out var message))
            {
                lastSent = message.Id;
                yield return Item(message.Kind.ToWireName(), message.Id, WithDropped(message.GetJson(LiveJson.Serialize), subscriber.TakeDropped()));
            }
        }

        if (aborted.IsCancellationRequested)
        {
            yield break;
        }

        // The server ends the stream (its duration is up, an admin closed it, the host stops): say when to come back. The
        // ping repeats the id of the last message sent, which the client sends back on reconnecting: a fresh id would tell
        // it that it had everything up to then, and what was published but not sent to it would never be replayed.
        var reason = expiry.IsCancellationRequested ? "maxDuration" : stopping.IsCancellationRequested ? "stopping" : "closed";
        var ping = JsonSerializer.Serialize(new LivePingPayload(timeProvider.GetUtcNow(), reason), AnalyticsJsonContext.Default.LivePingPayload);
        yield return Item("ping", lastSent, WithDropped(ping, subscriber.TakeDropped())) with { ReconnectionInterval = ReconnectAfter };
    }

    private static async ValueTask<bool> WaitAsync(LiveSubscriber subscriber, CancellationToken cancellationToken)
    {
        try
        {
            return await subscriber.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static SseItem<string> Item(string type, long id, string json) =>
        new(json, type) { EventId = id.ToString(CultureInfo.InvariantCulture) };

    /// <summary>Adds this connection's loss count to a shared payload, which is always a JSON object.</summary>
    internal static string WithDropped(string json, long dropped) =>
        dropped == 0
            ? json
            : string.Concat(
                "{\"dropped\":",
                dropped.ToString(CultureInfo.InvariantCulture),
                json.Length > 2 ? "," : "",
                json.AsSpan(1));

    /// <summary>A browser's EventSource sends back the last id it saw; anything that is not one of ours is ignored.</summary>
    private static long? LastEventId(HttpRequest request) =>
        request.Headers["Last-Event-ID"] is [{ } value]
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    /// <summary><c>Accept: application/json</c> (and not <c>text/event-stream</c>) asks for one snapshot instead of a stream.</summary>
    private static bool WantsSnapshot(HttpRequest request)
    {
        var json = false;
        foreach (var accept in request.GetTypedHeaders().Accept)
        {
            if (accept.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            json |= accept.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
        }

        return json;
    }
}
