using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Npgsql;
using StandardWebhooks;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// Webhook secrets at rest on a shared PostgreSQL schema: plain rows of an earlier version are protected by two instances
/// starting together, the tables then hold no secret, and both instances still sign with the original secrets.
/// </summary>
public sealed class PostgreSqlWebhookSecretsTests : IAsyncLifetime
{
    private static readonly string DeclaredSecret = WebhookSecret.Generate();
    private static readonly string ApiSecret = WebhookSecret.Generate();
    private readonly string _schema = PostgresDatabase.NewSchema();
    private readonly TempDirectory _keys = new();
    private readonly List<WebApplication> _apps = [];
    private readonly ConcurrentQueue<(string Text, HeaderDictionary Headers)> _received = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await PostgresDatabase.DropSchemaAsync(_schema);
        _keys.Dispose();
    }

    [Fact]
    public async Task PlainSecretsOfAnEarlierVersionAreProtectedByTwoInstancesStartingTogetherAndStillSign()
    {
        var hookUrl = await StartReceiverAsync();
        await using (var store = PostgresDatabase.CreateStore(_schema))
        {
            await ((IWebhookStore)store).ListWebhookSubscriptionsAsync(default); // creates the schema, as the earlier version did
        }

        await InsertPlainAsync("ops", hookUrl, DeclaredSecret, declared: true);
        await InsertPlainAsync("wh_old", hookUrl, ApiSecret, declared: false);
        Assert.Equal(2, await RowsHoldingAsync("whsec_"));

        var instances = await Task.WhenAll(StartInstanceAsync("web-a", hookUrl), StartInstanceAsync("web-b", hookUrl));
        using var clientA = instances[0];
        using var clientB = instances[1];
        await SendTestAsync(clientA, "ops");
        await SendTestAsync(clientB, "wh_old");
        await Wait.UntilAsync(() => _received.Count == 2, TimeSpan.FromSeconds(20), "both test messages arrive");

        Assert.Equal(0, await RowsHoldingAsync("whsec_"));
        Assert.Equal(0, await RowsHoldingAsync(DeclaredSecret[WebhookSecret.Prefix.Length..]));
        Assert.Equal(0, await RowsHoldingAsync(ApiSecret[WebhookSecret.Prefix.Length..]));
        var stored = await PostgresDatabase.ScalarAsync<long>(
            $"SELECT count(*) FROM \"{_schema}\".webhook_subscriptions, unnest(secrets) s WHERE s LIKE 'dp:%';");
        Assert.Equal(2, stored);
        foreach (var (text, headers) in _received)
        {
            var secret = text.Contains("\"ops\"", StringComparison.Ordinal) ? DeclaredSecret : ApiSecret;
            new StandardWebhook(secret).Verify(text, headers); // throws unless the signature is the original secret's
        }
    }

    /// <summary>Counts the rows, in every table of the schema, whose text holds <paramref name="text"/>.</summary>
    private async Task<long> RowsHoldingAsync(string text)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresDatabase.ConnectionString);
        var tables = new List<string>();
        await using (var command = dataSource.CreateCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = $1;"))
        {
            command.Parameters.AddWithValue(_schema);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("webhook_subscriptions", tables);
        long rows = 0;
        foreach (var table in tables)
        {
            await using var command = dataSource.CreateCommand($"SELECT count(*) FROM \"{_schema}\".\"{table}\" t WHERE strpos(t::text, $1) > 0;");
            command.Parameters.AddWithValue(text);
            rows += (long)(await command.ExecuteScalarAsync())!;
        }

        return rows;
    }

    private async Task InsertPlainAsync(string id, string url, string secret, bool declared)
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresDatabase.ConnectionString);
        await using var command = dataSource.CreateCommand(
            $"INSERT INTO \"{_schema}\".webhook_subscriptions (id, url, event_types, event_names, enabled, disabled_reason, secrets, source, created_at) " +
            "VALUES ($1, $2, ARRAY['webhook.test'], ARRAY[]::text[], true, NULL, $3, $4, 0);");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(url);
        command.Parameters.AddWithValue(new[] { secret });
        command.Parameters.AddWithValue(declared ? 1 : 0);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task SendTestAsync(HttpClient client, string id)
    {
        var response = await client.PostAsync($"/analytics/api/webhooks/{id}/test", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("messageId", out _));
    }

    private async Task<HttpClient> StartInstanceAsync(string instance, string hookUrl)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(FastWebhookDelivery.Policy());

        // The instances of one app share their key ring, as the README asks of a deployment on several instances.
        builder.Services.AddDataProtection().SetApplicationName("analytics-pg-tests").PersistKeysToFileSystem(new DirectoryInfo(_keys.Path));
        builder.Services.AddRequestAnalytics(o =>
        {
            o.InstanceName = instance;
            o.Webhooks.AllowPrivateNetworks = true; // the receiver is on 127.0.0.1
            var ops = new WebhookSubscriptionOptions { Id = "ops", Url = hookUrl };
            ops.EventTypes.Add(WebhookEventTypes.Test);
            ops.Secrets.Add(DeclaredSecret);
            o.Webhooks.Subscriptions.Add(ops);
        }).UsePostgreSql(PostgresDatabase.ConnectionString, _schema);

        var app = builder.Build();
        app.UseRequestAnalytics();
        app.MapRequestAnalytics("/analytics");
        await app.StartAsync();
        lock (_apps)
        {
            _apps.Add(app);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task<string> StartReceiverAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var receiver = builder.Build();
        receiver.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var text = await reader.ReadToEndAsync();
            var headers = new HeaderDictionary(context.Request.Headers.ToDictionary(
                h => h.Key, h => new StringValues(h.Value.ToString()), StringComparer.OrdinalIgnoreCase));
            _received.Enqueue((text, headers));
            context.Response.StatusCode = 200;
        });
        await receiver.StartAsync();
        _apps.Add(receiver);
        return receiver.Urls.First() + "/hook";
    }
}
