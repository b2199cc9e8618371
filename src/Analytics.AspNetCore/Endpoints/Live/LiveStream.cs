using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Analytics.Live;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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
            return TypedResults.Json(new LiveSnapshot(feed.LastId, feed.ConnectionCount, stats), AnalyticsJsonContext.Default.LiveSnapshot);
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
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await StreamAsync(context, subscriber, options.MaxStreamDuration, services.GetRequiredService<TimeProvider>(), stopping)
            .ConfigureAwait(false);
        return TypedResults.Empty;
    }

    public static Task<IResult> Delete(HttpContext context, CancellationToken cancellationToken)
    {
        var closed = context.RequestServices.GetRequiredService<LiveFeed>().CloseAll();
        return Task.FromResult<IResult>(TypedResults.Json(new StreamsClosed(closed), AnalyticsJsonContext.Default.StreamsClosed));
    }

    /// <summary>
    /// Writes the events straight into the response's pipe: the shared JSON bytes of each message, framed for this
    /// connection, with no copy of its own. Each event is flushed before the next is taken from the queue, so a client
    /// that reads slowly holds messages in its bounded queue, where they are counted and dropped, and never more than
    /// Kestrel's response buffer (<c>MaxResponseBufferSize</c>, 64 KB by default) plus one message in the pipe.
    /// </summary>
    private static async Task StreamAsync(
        HttpContext context, LiveSubscriber subscriber, TimeSpan maxDuration, TimeProvider timeProvider, CancellationToken stopping)
    {
        using var owned = subscriber;
        var response = context.Response;
        var aborted = context.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx would otherwise hold events back in its buffer
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var writer = response.BodyWriter;

        WriteEvent(writer, "connected", subscriber.ConnectedId, JsonSerializer.SerializeToUtf8Bytes(
            new LiveConnected(subscriber.ConnectionId), AnalyticsJsonContext.Default.LiveConnected), dropped: 0);
        if (!await FlushAsync(writer, aborted).ConfigureAwait(false))
        {
            return;
        }

        using var expiry = new CancellationTokenSource(maxDuration, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping, expiry.Token);

        // The token is looked at between messages too, and ends a flush that waits on the client: a client slower than the
        // feed always has some queued, and would otherwise outlive its duration and hold up the host's shutdown.
        var lastSent = subscriber.ConnectedId;
        var open = true;
        while (open && !linked.IsCancellationRequested && await WaitAsync(subscriber, linked.Token).ConfigureAwait(false))
        {
            while (open && !linked.IsCancellationRequested && subscriber.TryRead(out var message))
            {
                lastSent = message.Id;
                WriteEvent(writer, message.Kind.ToWireName(), message.Id, message.Json.Span, subscriber.TakeDropped());
                open = await FlushAsync(writer, linked.Token).ConfigureAwait(false);
            }
        }

        if (aborted.IsCancellationRequested)
        {
            return;
        }

        // The server ends the stream (its duration is up, an admin closed it, the host stops): say when to come back. The
        // ping repeats the id of the last message sent, which the client sends back on reconnecting: a fresh id would tell
        // it that it had everything up to then, and what was published but not sent to it would never be replayed.
        var reason = expiry.IsCancellationRequested ? "maxDuration" : stopping.IsCancellationRequested ? "stopping" : "closed";
        var ping = JsonSerializer.SerializeToUtf8Bytes(
            new LivePingPayload(timeProvider.GetUtcNow(), reason), AnalyticsJsonContext.Default.LivePingPayload);
        WriteEvent(writer, "ping", lastSent, ping, subscriber.TakeDropped(), ReconnectAfter);
        await FlushAsync(writer, aborted).ConfigureAwait(false);
    }

    /// <summary>Flushes, waiting while the client is behind; <see langword="false"/> once the stream cannot go on.</summary>
    private static async ValueTask<bool> FlushAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            var result = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            return !result.IsCompleted && !result.IsCanceled;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
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

    /// <summary>
    /// Writes one event: its type, id, optional retry hint, and its data line, the shared JSON with this connection's loss
    /// count added in front of its first member (the JSON is always an object, on one line).
    /// </summary>
    internal static void WriteEvent(PipeWriter writer, string type, long id, ReadOnlySpan<byte> json, long dropped, TimeSpan? retry = null)
    {
        writer.Write("event: "u8);
        Encoding.UTF8.GetBytes(type, writer);
        writer.Write("\nid: "u8);
        WriteNumber(writer, id);
        if (retry is { } interval)
        {
            writer.Write("\nretry: "u8);
            WriteNumber(writer, (long)interval.TotalMilliseconds);
        }

        writer.Write("\ndata: "u8);
        if (dropped == 0)
        {
            writer.Write(json);
        }
        else
        {
            writer.Write("{\"dropped\":"u8);
            WriteNumber(writer, dropped);
            if (json.Length > 2)
            {
                writer.Write(","u8);
            }

            writer.Write(json[1..]);
        }

        writer.Write("\n\n"u8);
    }

    private static void WriteNumber(PipeWriter writer, long value)
    {
        var span = writer.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        writer.Advance(written);
    }

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
