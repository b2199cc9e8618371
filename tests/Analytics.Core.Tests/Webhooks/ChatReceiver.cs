using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// Stands in for Slack, Teams and Discord on a real Kestrel at 127.0.0.1: <c>/slack</c>, <c>/teams</c> and <c>/discord</c>
/// check the body against the shape that service documents (<see cref="ChatShapes"/>) and answer 200, or 400 with what
/// is wrong, as the services do; any other path takes anything (a Standard Webhooks receiver). Records every request.
/// </summary>
internal sealed class ChatReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();

    private ChatReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<Received> Requests => [.. _received];

    public static async Task<ChatReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new ChatReceiver(app);
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            WebhookFormat? format = context.Request.Path.Value switch
            {
                "/slack" => WebhookFormat.Slack,
                "/teams" => WebhookFormat.Teams,
                "/discord" => WebhookFormat.Discord,
                _ => null,
            };
            var problems = format is { } f ? ChatShapes.Check(f, body.ToArray()) : [];
            var status = problems.Count == 0 ? 200 : 400;
            receiver._received.Enqueue(new Received(
                context.Request.Path.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                context.Request.ContentType,
                body.ToArray(),
                status,
                problems));
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(status == 200 ? "ok" : string.Join("; ", problems));
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Urls.First().TrimEnd('/');
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record Received(
        string Path, IReadOnlyDictionary<string, string> Headers, string? ContentType, byte[] Body, int Status, IReadOnlyList<string> Problems);
}
