using System.Diagnostics;
using ConsumerMatrix;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSignalR();
builder.Services.AddRequestAnalytics(o => o.ExcludePaths.Add("/matrix"));

var app = builder.Build();
app.UseRequestAnalytics();
app.MapHub<ChatHub>("/chat");
app.MapGet("/ping", () => "pong");
app.MapRequestAnalytics("/analytics");

app.MapMatrix(async run =>
{
    var connections = new List<HubConnection>();
    for (var i = 0; i < 5; i++)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(run.Client.BaseAddress!, "/chat")).Build();
        await connection.StartAsync();
        connections.Add(connection);
    }

    // Quick requests while the connections stay open (the shape: a few connections among tens of requests),
    // then messages over the connections until they have lasted a second.
    var held = Stopwatch.StartNew();
    for (var i = 0; i < 50; i++)
    {
        (await run.Client.GetAsync("/ping")).EnsureSuccessStatusCode();
    }

    while (held.Elapsed < TimeSpan.FromSeconds(1))
    {
        foreach (var connection in connections)
        {
            await connection.InvokeAsync<string>("Echo", "hi");
        }
    }

    foreach (var connection in connections)
    {
        await connection.DisposeAsync();
    }

    // A closed connection's request ends on the server a moment after the client let go.
    var rows = await run.RecordedAsync(rows => rows.Count(r => r.Kind == Analytics.RequestKind.WebSocket) >= 5);
    var sockets = rows.Where(r => r.Kind == Analytics.RequestKind.WebSocket).ToList();
    run.Equal("WebSocket connections recorded", 5, sockets.Count);
    run.Check("connections lasted over a second", sockets.Count > 0 && sockets.All(s => s.Duration >= 1000), string.Join(", ", sockets.Select(s => $"{s.Duration:0} ms")));
    var overview = await run.Queries.GetOverviewAsync(run.Query(), default);
    run.Check("long-lived connections kept out of p95", overview.Latency.P95 < 200, $"p95 {overview.Latency.P95:0.##} ms over {overview.TotalRequests} requests");
    run.Check("and out of the average", overview.Latency.Avg < 50, $"avg {overview.Latency.Avg:0.##} ms");
});
app.Run();

internal sealed class ChatHub : Hub
{
    public string Echo(string text) => text;
}
