using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

/// <summary>A webhook receiver on a real Kestrel at 127.0.0.1: records every request and answers from a script, then 200.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    private WebhookReceiver(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>Gets the requests that were answered 2xx.</summary>
    public IReadOnlyList<ReceivedWebhook> Accepted => [.. _received.Where(r => r.Status is >= 200 and < 300)];

    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    public static async Task<WebhookReceiver> StartAsync(int port = 0, params ScriptedResponse[] script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var answer = receiver!._script.TryDequeue(out var scripted) ? scripted : new ScriptedResponse(200);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver._received.Enqueue(new ReceivedWebhook(
                context.Request.Path,
                context.Request.Headers["webhook-id"].ToString(),
                context.Request.Headers["webhook-timestamp"].ToString(),
                context.Request.Headers["webhook-signature"].ToString(),
                context.Request.ContentType,
                buffer.ToArray(),
                answer.Status,
                DateTimeOffset.UtcNow,
                headers));
            if (answer.Hold is { } hold)
            {
                // Received before it is answered: a test sees the attempt arrive, moves its clock, then lets it finish.
                await hold.WaitAsync(context.RequestAborted);
            }

            context.Response.StatusCode = answer.Status;
            if (answer.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            if (answer.Location is { } location)
            {
                context.Response.Headers.Location = location;
            }

            await context.Response.WriteAsync(answer.Body ?? $"answered {answer.Status}");
        });
        await app.StartAsync();
        var bound = port != 0 ? port : new Uri(app.Urls.First()).Port;
        receiver = new WebhookReceiver(app, bound);
        foreach (var response in script)
        {
            receiver._script.Enqueue(response);
        }

        return receiver;
    }

    /// <summary>
    /// A port that nothing listens on yet, held by a socket bound to it without listening: connections to it are
    /// refused, and no other test's server or client takes it until the caller disposes the socket, just before
    /// <see cref="StartAsync"/> listens on it. A port bound and released at once could be taken in between.
    /// </summary>
    public static Socket ReservePort(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One scripted answer; with <paramref name="Hold"/>, it is given only when that task completes (or the request is aborted).</summary>
public sealed record ScriptedResponse(int Status, string? RetryAfter = null, string? Location = null, string? Body = null, Task? Hold = null);

public sealed record ReceivedWebhook(
    string Path, string Id, string Timestamp, string Signature, string? ContentType, byte[] Body, int Status, DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, string> Headers)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public string Type => System.Text.Json.JsonDocument.Parse(Body).RootElement.GetProperty("type").GetString()!;
}
