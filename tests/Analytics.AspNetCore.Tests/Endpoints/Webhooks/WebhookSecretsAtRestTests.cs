using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using StandardWebhooks;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

/// <summary>
/// Webhook secrets at rest, end to end on an SQLite file: protected with the host's Data Protection key ring, plain rows
/// of an earlier version protected at start, signatures that still verify, and a host with another key ring that
/// refuses to sign and says so.
/// </summary>
public class WebhookSecretsAtRestTests
{
    private static readonly string DeclaredSecret = WebhookSecret.Generate();
    private static readonly string NewSecret = WebhookSecret.Generate();
    private static readonly string OldSecret = WebhookSecret.Generate();

    [Fact]
    public async Task PlainSecretsOfAnEarlierVersionAreProtectedAtStartAndStillSign()
    {
        using var directory = new TempDirectory();
        var database = directory.File("analytics.db");
        var keys = directory.File("keys");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using (var schemaOnly = await StartAsync(database, keys, declaredUrl: null))
        {
            await schemaOnly.StopAsync();
        }

        // As the version before protection wrote them: a declared subscription, and one made through the API, rotating.
        InsertPlain(database, "ops", receiver.Url(), [DeclaredSecret], declared: true);
        InsertPlain(database, "wh_old", receiver.Url(), [NewSecret, OldSecret], declared: false);
        Assert.True(FileHolds(directory, "whsec_"), "the plain rows are in the file before the start");

        await using (var host = await StartAsync(database, keys, receiver.Url()))
        {
            await WebhookTestApp.SendTestAsync(host, "ops");
            await WebhookTestApp.SendTestAsync(host, "wh_old");
            await Wait.UntilAsync(() => receiver.Accepted.Count == 2, TimeSpan.FromSeconds(10), "both test messages arrive");

            var ops = receiver.Accepted.Single(m => m.Text.Contains("\"ops\"", StringComparison.Ordinal));
            var old = receiver.Accepted.Single(m => m.Text.Contains("\"wh_old\"", StringComparison.Ordinal));
            new StandardWebhook(DeclaredSecret).Verify(ops.Text, Headers(ops));

            // Both keys of the rotation still sign, newest first. The package checks a header of one signature only.
            var signatures = old.Signature.Split(' ');
            Assert.Equal(2, signatures.Length);
            new StandardWebhook(NewSecret).Verify(old.Text, Headers(old, signatures[0]));
            new StandardWebhook(OldSecret).Verify(old.Text, Headers(old, signatures[1]));
            Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Name == "WebhookSecretsProtected");
            Assert.All(StoredSecrets(database), s => Assert.StartsWith(WebhookSecretProtection.Prefix, s, StringComparison.Ordinal));
            await host.StopAsync();
        }

        SqliteConnection.ClearAllPools();
        Assert.False(FileHolds(directory, "whsec_"), "no plain secret is left anywhere in the database's files");
        foreach (var secret in new[] { DeclaredSecret, NewSecret, OldSecret })
        {
            Assert.False(FileHolds(directory, secret[WebhookSecret.Prefix.Length..]), "not even a secret's key without its prefix");
        }
    }

    [Fact]
    public async Task AHostWithAnotherKeyRingDoesNotSignSaysSoAndTheMessageIsSentOnceTheKeyRingIsBack()
    {
        using var directory = new TempDirectory();
        var database = directory.File("analytics.db");
        await using var receiver = await WebhookReceiver.StartAsync();
        var secret = WebhookSecret.Generate();
        string id;
        await using (var first = await StartAsync(database, directory.File("keys"), declaredUrl: null))
        {
            var created = await first.Client.PostAsync(
                "/analytics/api/webhooks", Json($$"""{"url":"{{receiver.Url()}}","eventTypes":["webhook.test"],"secret":"{{secret}}"}"""));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await first.StopAsync();
        }

        string messageId;
        await using (var other = await StartAsync(database, directory.File("other-keys"), declaredUrl: null))
        {
            messageId = await WebhookTestApp.SendTestAsync(other, id);
            await Wait.UntilAsync(
                async () => (await WebhookTestApp.DeliveriesAsync(other, id)).Length >= 2,
                TimeSpan.FromSeconds(10),
                "two deliveries fail for want of the secret");

            var log = await WebhookTestApp.DeliveriesAsync(other, id);
            Assert.All(log, d => Assert.Contains("cannot be unprotected", d.GetProperty("error").GetString(), StringComparison.Ordinal));
            Assert.All(log, d => Assert.Equal(messageId, d.GetProperty("messageId").GetString()));
            Assert.Empty(receiver.Received); // never sent, signed or not
            var logs = other.Logs.GetSnapshot();
            Assert.Contains(logs, e => e.Id.Name == "WebhookSecretUnreadable" && e.Message.Contains(id, StringComparison.Ordinal));
            Assert.Contains(logs, e => e.Id.Name == "WebhookNotSentSecretUnreadable" && e.Message.Contains(id, StringComparison.Ordinal));
            Assert.DoesNotContain(logs, e => e.Message.Contains(secret[WebhookSecret.Prefix.Length..], StringComparison.Ordinal));
            await other.StopAsync();
        }

        // The message stays on the retry schedule, so the host with the right key ring sends it.
        await using var back = await StartAsync(database, directory.File("keys"), declaredUrl: null);
        await Wait.UntilAsync(() => receiver.Accepted.Count == 1, TimeSpan.FromSeconds(10), "the message is sent with the key ring back");
        var received = receiver.Accepted[0];
        Assert.Equal(messageId, received.Id);
        new StandardWebhook(secret).Verify(received.Text, Headers(received));
    }

    [Fact]
    public async Task CreationAndRotationStoreOnlyProtectedSecretsAndTheAnswersShowThemOnce()
    {
        using var directory = new TempDirectory();
        var database = directory.File("analytics.db");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync(database, directory.File("keys"), declaredUrl: null);
        var created = await (await host.Client.PostAsync(
            "/analytics/api/webhooks", Json($$"""{"url":"{{receiver.Url()}}","eventTypes":["webhook.test"]}"""))).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString()!;
        var first = created.GetProperty("secret").GetString()!;
        var afterCreation = StoredSecrets(database);

        var rotated = await host.Client.PostAsync($"/analytics/api/webhooks/{id}/secrets", WebhookTestApp.EmptyJson());
        var second = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var afterRotation = StoredSecrets(database);
        var stored = await host.Store.Capabilities.Webhooks!.GetWebhookSubscriptionAsync(id, default);
        await WebhookTestApp.SendTestAsync(host, id);
        await Wait.UntilAsync(() => receiver.Accepted.Count == 1, TimeSpan.FromSeconds(10), "the test message arrives");
        var listed = await host.Client.GetStringAsync("/analytics/api/webhooks");

        Assert.StartsWith(WebhookSecretProtection.Prefix, Assert.Single(afterCreation), StringComparison.Ordinal);
        Assert.Equal(2, afterRotation.Count);
        Assert.All(afterRotation, s => Assert.StartsWith(WebhookSecretProtection.Prefix, s, StringComparison.Ordinal));
        Assert.Equal(afterCreation[0], afterRotation[1]); // the previous secret kept as it was stored
        Assert.True(host.App.Services.GetRequiredService<WebhookSecretProtection>().TryReveal(stored!, out var revealed));
        Assert.Equal([second, first], revealed);
        var signatures = receiver.Accepted[0].Signature.Split(' ');
        new StandardWebhook(second).Verify(receiver.Accepted[0].Text, Headers(receiver.Accepted[0], signatures[0]));
        new StandardWebhook(first).Verify(receiver.Accepted[0].Text, Headers(receiver.Accepted[0], signatures[1]));
        Assert.DoesNotContain("whsec_", listed, StringComparison.Ordinal); // neither the secrets nor their stored form
        Assert.DoesNotContain(WebhookSecretProtection.Prefix, listed, StringComparison.Ordinal);
    }

    /// <summary>Starts a host on <paramref name="database"/> whose Data Protection keys are in <paramref name="keyRing"/>.</summary>
    internal static Task<AnalyticsTestHost> StartAsync(string database, string keyRing, string? declaredUrl, WebhookSubscriptionOptions? declared = null) =>
        EndpointTestApp.StartAsync(
            o =>
            {
                o.FlushInterval = TimeSpan.FromMilliseconds(50);
                o.Webhooks.AllowPrivateNetworks = true; // the receiver is on 127.0.0.1
                if (declared is not null)
                {
                    o.Webhooks.Subscriptions.Add(declared);
                }
                else if (declaredUrl is not null)
                {
                    var ops = new WebhookSubscriptionOptions { Id = "ops", Url = declaredUrl };
                    ops.EventTypes.Add(WebhookEventTypes.Test);
                    ops.Secrets.Add(DeclaredSecret);
                    o.Webhooks.Subscriptions.Add(ops);
                }
            },
            configureBuilder: b =>
            {
                b.Services.AddSingleton(WebhookTestApp.FastPolicy);

                // One application name and key folder across restarts, as a deployment has: each test host has a
                // content root of its own, which Data Protection would otherwise take as a different application.
                b.Services.AddDataProtection().SetApplicationName("analytics-tests").PersistKeysToFileSystem(new DirectoryInfo(keyRing));
            },
            databasePath: database);

    /// <summary>Reads every stored secret of every subscription, straight from the file.</summary>
    internal static List<string> StoredSecrets(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT secrets FROM webhook_subscriptions;";
        using var reader = command.ExecuteReader();
        var secrets = new List<string>();
        while (reader.Read())
        {
            secrets.AddRange(reader.GetString(0).Split('\n'));
        }

        return secrets;
    }

    /// <summary>The headers as the receiver got them, or with only <paramref name="signature"/> as the signature.</summary>
    internal static HeaderDictionary Headers(ReceivedWebhook m, string? signature = null) =>
        new(m.Headers.ToDictionary(
            h => h.Key,
            h => new StringValues(signature is not null && h.Key == WebhookSignature.SignatureHeader ? signature : h.Value),
            StringComparer.OrdinalIgnoreCase));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static void InsertPlain(string database, string id, string url, string[] secrets, bool declared)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO webhook_subscriptions (id, url, event_types, event_names, enabled, disabled_reason, secrets, source, created_at)
            VALUES ($id, $url, 'webhook.test', '', 1, NULL, $secrets, $source, 0);
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$url", url);
        command.Parameters.AddWithValue("$secrets", string.Join('\n', secrets));
        command.Parameters.AddWithValue("$source", declared ? 1 : 0);
        command.ExecuteNonQuery();
    }

    /// <summary>Tells whether any of the database's files (the file, its WAL, its shared memory) holds <paramref name="text"/>.</summary>
    private static bool FileHolds(TempDirectory directory, string text)
    {
        var needle = Encoding.ASCII.GetBytes(text);
        return Directory.GetFiles(directory.Path, "analytics.db*")
            .Any(file => File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0);
    }
}
