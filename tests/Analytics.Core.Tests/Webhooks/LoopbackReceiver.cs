using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// A webhook receiver on a real Kestrel at 127.0.0.1 (a port the system picks), as the AspNetCore tests'
/// <c>WebhookReceiver</c> is: records every request and answers the scripted statuses in turn, then 200. It only
/// answers what it is sent, and stops when disposed. <see cref="HoldNextAnswer"/> keeps the next answer back until the
/// test releases it, as a receiver (or a dispatcher) paused mid-delivery would.
/// </summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script;
    private readonly ConcurrentQueue<Received> _received = new();
    private HeldAnswer? _hold;

    private LoopbackReceiver(WebApplication app, IEnumerable<int> script)
    {
        _app = app;
        _script = new ConcurrentQueue<int>(script);
    }

    public string Url { get; private set; } = "";

    public IReadOnlyList<Received> Requests => [.. _received];

    public static async Task<LoopbackReceiver> StartAsync(params int[] script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new LoopbackReceiver(app, script);
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var status = receiver._script.TryDequeue(out var scripted) ? scripted : 200;
            if (Interlocked.Exchange(ref receiver._hold, null) is { } hold)
            {
                hold.Arrive();
                await hold.Released;
            }

            receiver._received.Enqueue(new Received(
                context.Request.Headers["webhook-id"].ToString(),
                context.Request.Headers["webhook-timestamp"].ToString(),
                context.Request.Headers["webhook-signature"].ToString(),
                body.ToArray(),
                status));
            context.Response.StatusCode = status;
            await context.Response.WriteAsync($"answered {status}");
        });
        await app.StartAsync();
        receiver.Url = new Uri(new Uri(app.Urls.First()), "/hook").ToString();
        return receiver;
    }

    /// <summary>Holds the answer to the next request (its scripted status already taken) until released.</summary>
    public HeldAnswer HoldNextAnswer()
    {
        var hold = new HeldAnswer();
        _hold = hold;
        return hold;
    }

    public async ValueTask DisposeAsync()
    {
        _hold?.Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record Received(string Id, string Timestamp, string Signature, byte[] Body, int Status);

    /// <summary>One answer held back: <see cref="Arrived"/> when its request is in, sent on <see cref="Release"/>.</summary>
    public sealed class HeldAnswer
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Arrived => _arrived.Task;

        internal Task Released => _released.Task;

        public void Release() => _released.TrySetResult();

        internal void Arrive() => _arrived.TrySetResult();
    }
}
