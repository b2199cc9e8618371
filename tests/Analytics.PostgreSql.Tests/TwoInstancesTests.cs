using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Analytics.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// Two apps on real Kestrel, as two instances behind a load balancer would be, writing concurrently to one PostgreSQL
/// schema: every number either of them shows is the cluster's, and the instance filter gives each one's share.
/// </summary>
public sealed class TwoInstancesTests : IAsyncLifetime
{
    private static readonly string Secret = WebhookSecret.Generate();
    private readonly string _schema = PostgresDatabase.NewSchema();
    private readonly List<WebApplication> _apps = [];
    private readonly List<HttpClient> _clients = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _received = new();
    private WebApplication? _receiver;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var app in _apps.Append(_receiver).OfType<WebApplication>())
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await PostgresDatabase.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task TwoInstancesShareOneSetOfNumbersAndEachFilterGivesItsShare()
    {
        var hookUrl = await StartReceiverAsync();
        var (a, clientA) = await StartInstanceAsync("web-a", hookUrl);
        var (b, clientB) = await StartInstanceAsync("web-b", hookUrl);
        var start = DateTimeOffset.UtcNow;

        // A known mix, sent to both instances at once: A serves 300 item reads and 60 failures, B 200 reads, 40
        // creations and 40 failures.
        await Task.WhenAll(
            SendAsync(clientA, 300, i => new HttpRequestMessage(HttpMethod.Get, $"/items/{i}")),
            SendAsync(clientA, 60, _ => new HttpRequestMessage(HttpMethod.Get, "/fail")),
            SendAsync(clientB, 200, i => new HttpRequestMessage(HttpMethod.Get, $"/items/{i}")),
            SendAsync(clientB, 40, _ => new HttpRequestMessage(HttpMethod.Post, "/items")),
            SendAsync(clientB, 40, _ => new HttpRequestMessage(HttpMethod.Get, "/fail")));
        await a.Services.GetRequiredService<IAnalyticsPipeline>().FlushAsync(default);
        await b.Services.GetRequiredService<IAnalyticsPipeline>().FlushAsync(default);

        var range = $"from={Uri.EscapeDataString(start.AddMinutes(-2).ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(2).ToString("O"))}";

        // The ground truth: every raw row, read back from the shared database.
        var raw = await ReadAllRawAsync(a);
        Assert.Equal(640, raw.Count);
        var durations = raw.Select(r => r.Duration.TotalMilliseconds).Order().ToList();

        foreach (var client in new[] { clientA, clientB })
        {
            var overview = await client.GetFromJsonAsync<JsonElement>($"/analytics/api/overview?{range}");
            Assert.Equal(640, overview.GetProperty("totalRequests").GetInt64());
            Assert.Equal(100, overview.GetProperty("errorRequests").GetInt64());
            var latency = overview.GetProperty("latency");
            foreach (var (name, q) in new[] { ("p50", 0.50), ("p95", 0.95), ("p99", 0.99) })
            {
                var exact = TestData.ExactQuantile(durations, q);
                var shown = latency.GetProperty(name).GetDouble();
                Assert.True(Math.Abs(shown - exact) <= (exact * 0.01) + 0.001, $"{name}: shown {shown} ms, exact {exact} ms");
            }

            var routes = (await client.GetFromJsonAsync<JsonElement>($"/analytics/api/routes?{range}")).EnumerateArray()
                .ToDictionary(r => $"{r.GetProperty("method").GetString()} {r.GetProperty("route").GetString()}", r => r.GetProperty("count").GetInt64());
            Assert.Equal(500, routes["GET /items/{id:int}"]);
            Assert.Equal(100, routes["GET /fail"]);
            Assert.Equal(40, routes["POST /items"]);
        }

        foreach (var (instance, total, errors) in new[] { ("web-a", 360, 60), ("web-b", 280, 40) })
        {
            var share = await clientB.GetFromJsonAsync<JsonElement>($"/analytics/api/overview?{range}&instance={instance}");
            Assert.Equal(total, share.GetProperty("totalRequests").GetInt64());
            Assert.Equal(errors, share.GetProperty("errorRequests").GetInt64());
            var page = await clientA.GetFromJsonAsync<JsonElement>($"/analytics/api/requests?{range}&instance={instance}&limit=1000");
            Assert.Equal(total, page.GetProperty("items").GetArrayLength());
        }

        // Both dispatchers work the one outbox: every failure's message arrives, and none twice.
        var expected = await PostgresDatabase.ScalarAsync<long>($"SELECT count(*) FROM \"{_schema}\".webhook_outbox;");
        Assert.Equal(100, expected);
        await Wait.UntilAsync(
            async () => await PostgresDatabase.ScalarAsync<long>($"SELECT count(*) FROM \"{_schema}\".webhook_outbox WHERE state = 1;") == expected,
            TimeSpan.FromSeconds(60),
            "both dispatchers delivered every message");
        var ids = _received.ToList();
        Assert.Equal(100, ids.Distinct().Count());
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    private static async Task SendAsync(HttpClient client, int count, Func<int, HttpRequestMessage> request)
    {
        for (int i = 0; i < count; i++)
        {
            using var response = await client.SendAsync(request(i));
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.InternalServerError, $"unexpected {response.StatusCode}");
        }
    }

    private static async Task<List<RequestRecord>> ReadAllRawAsync(WebApplication app)
    {
        var store = app.Services.GetRequiredService<IAnalyticsStore>();
        var rows = new List<RequestRecord>();
        long? before = null;
        while (true)
        {
            var page = await store.ReadRequestsAsync(new RawQuery { Before = before, Limit = 500 }, default);
            rows.AddRange(page.Select(p => p.Request));
            if (page.Count < 500)
            {
                return rows;
            }

            before = page[^1].Id;
        }
    }

    private async Task<(WebApplication App, HttpClient Client)> StartInstanceAsync(string instance, string hookUrl)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(FastWebhookDelivery.Policy());
        builder.Services.AddRequestAnalytics(o =>
        {
            o.InstanceName = instance;
            o.FlushInterval = TimeSpan.FromMilliseconds(50);
            o.Webhooks.AllowPrivateNetworks = true; // the receiver is on 127.0.0.1
            var subscription = new WebhookSubscriptionOptions { Id = "ops", Url = hookUrl };
            subscription.EventTypes.Add(WebhookEventTypes.RequestFailed);
            subscription.Secrets.Add(Secret);
            o.Webhooks.Subscriptions.Add(subscription);
        }).UsePostgreSql(PostgresDatabase.ConnectionString, _schema);

        var app = builder.Build();
        app.UseRequestAnalytics();
        app.MapGet("/items/{id:int}", (int id) => Results.Ok(new { id }));
        app.MapPost("/items", () => Results.Created("/items/1", new { id = 1 }));
        app.MapGet("/fail", string () => throw new InvalidOperationException("boom"));
        app.MapRequestAnalytics("/analytics");
        await app.StartAsync();
        _apps.Add(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(client);
        return (app, client);
    }

    private async Task<string> StartReceiverAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.Run(context =>
        {
            _received.Enqueue(context.Request.Headers[WebhookSignature.IdHeader].ToString());
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        await _receiver.StartAsync();
        return _receiver.Urls.First() + "/hook";
    }
}
