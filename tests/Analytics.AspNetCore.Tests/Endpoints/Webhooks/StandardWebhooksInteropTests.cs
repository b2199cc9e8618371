using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

/// <summary>
/// Signatures checked by the reference implementation, the npm standardwebhooks package under Node
/// (tests/node-clients/verify-webhook.mjs), and in process by the StandardWebhooks NuGet package, against messages
/// this library really delivered.
/// </summary>
public class StandardWebhooksInteropTests
{
    [Fact]
    public async Task DeliveredMessagesVerifyWithTheStandardWebhooksPackage()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await WebhookTestApp.StartAsync(receiver.Url(), [WebhookEventTypes.Test, WebhookEventTypes.EventTracked]);
        await host.Client.PostAsJsonAsync("/analytics/api/events", new { name = "deploy", properties = new { note = "ünïcödé \"quoted\" </script>" } });
        await host.Pipeline.FlushAsync(default);
        await WebhookTestApp.SendTestAsync(host);
        await Wait.UntilAsync(() => receiver.Accepted.Count == 2, TimeSpan.FromSeconds(10), "both messages arrive");
        var otherSecret = WebhookSecret.Generate();

        var cases = new List<object>();
        foreach (var m in receiver.Accepted)
        {
            cases.Add(Verify(WebhookTestApp.Secret, m.Id, m.Timestamp, m.Signature, m.Text)); // ok
            cases.Add(Verify(WebhookTestApp.Secret, m.Id, m.Timestamp, m.Signature, m.Text.Replace("deploy", "dEploy", StringComparison.Ordinal).Replace("test", "tEst", StringComparison.Ordinal))); // tampered
            cases.Add(Verify(otherSecret, m.Id, m.Timestamp, m.Signature, m.Text)); // wrong secret
        }

        var results = await RunAsync(cases);

        Assert.Equal(["ok", "fail", "fail", "ok", "fail", "fail"], results.Select(r => r.StartsWith("fail", StringComparison.Ordinal) ? "fail" : r));
        Assert.Equal(2, receiver.Accepted.Select(m => m.Type).Distinct().Count());
    }

    [Fact]
    public async Task DeliveredMessagesVerifyWithTheDotNetStandardWebhooksPackage()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await WebhookTestApp.StartAsync(receiver.Url(), [WebhookEventTypes.Test, WebhookEventTypes.EventTracked]);
        await host.Client.PostAsJsonAsync("/analytics/api/events", new { name = "deploy", properties = new { note = "ünïcödé \"quoted\" </script>" } });
        await host.Pipeline.FlushAsync(default);
        await WebhookTestApp.SendTestAsync(host);
        await Wait.UntilAsync(() => receiver.Accepted.Count == 2, TimeSpan.FromSeconds(10), "both messages arrive");
        var verifier = new StandardWebhook(WebhookTestApp.Secret);
        var otherSecret = new StandardWebhook(WebhookSecret.Generate());

        foreach (var m in receiver.Accepted)
        {
            // The headers as the receiver got them: the package reads webhook-id, webhook-timestamp and webhook-signature.
            var headers = new HeaderDictionary(m.Headers.ToDictionary(h => h.Key, h => new StringValues(h.Value), StringComparer.OrdinalIgnoreCase));
            var tampered = m.Text.Replace("deploy", "dEploy", StringComparison.Ordinal).Replace("test", "tEst", StringComparison.Ordinal);
            Assert.NotEqual(m.Text, tampered);
            var otherId = new HeaderDictionary(m.Headers.ToDictionary(h => h.Key, h => new StringValues(h.Value), StringComparer.OrdinalIgnoreCase))
            {
                ["webhook-id"] = m.Id + "x",
            };

            verifier.Verify(m.Text, headers); // throws unless a v1 signature matches and the timestamp is within 5 minutes
            Assert.Contains("No matching signature", Assert.Throws<WebhookVerificationException>(() => verifier.Verify(tampered, headers)).Message);
            Assert.Contains("No matching signature", Assert.Throws<WebhookVerificationException>(() => verifier.Verify(m.Text, otherId)).Message);
            Assert.Contains("No matching signature", Assert.Throws<WebhookVerificationException>(() => otherSecret.Verify(m.Text, headers)).Message);
        }

        Assert.Equal(2, receiver.Accepted.Select(m => m.Type).Distinct().Count());
    }

    [Fact]
    public async Task AnOldTimestampIsRejectedByBothSides()
    {
        var secret = WebhookSecret.Generate();
        Assert.True(WebhookSecret.TryDecode(secret, out var key));
        var body = "{\"type\":\"webhook.test\",\"timestamp\":\"2026-11-22T10:00:00Z\",\"data\":{}}";
        var old = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
        var fresh = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var oldSignature = WebhookSignature.Sign([key], "msg_old", old, Encoding.UTF8.GetBytes(body));
        var freshSignature = WebhookSignature.Sign([key], "msg_fresh", fresh, Encoding.UTF8.GetBytes(body));

        var results = await RunAsync([
            Verify(secret, "msg_old", old.ToString(CultureInfo.InvariantCulture), oldSignature, body),
            Verify(secret, "msg_fresh", fresh.ToString(CultureInfo.InvariantCulture), freshSignature, body),
        ]);

        Assert.StartsWith("fail", results[0]);
        Assert.Equal("ok", results[1]);
        Assert.False(new WebhookVerifier(secret).Verify(body, "msg_old", old.ToString(CultureInfo.InvariantCulture), oldSignature));
        Assert.True(new WebhookVerifier(secret).Verify(body, "msg_fresh", fresh.ToString(CultureInfo.InvariantCulture), freshSignature));
        var package = new StandardWebhook(secret);
        Assert.Contains("too old", Assert.Throws<WebhookVerificationException>(() => package.Verify(body, Headers("msg_old", old, oldSignature))).Message);
        package.Verify(body, Headers("msg_fresh", fresh, freshSignature));
    }

    [Fact]
    public async Task SignaturesMadeByThePackageVerifyWithWebhookVerifier()
    {
        var secret = WebhookSecret.Generate();
        var body = "{\"type\":\"alert.triggered\",\"data\":{\"value\":0.5}}";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var signature = (await RunAsync([new { sign = new { secret, id = "msg_from_node", timestamp, body } }]))[0];

        Assert.StartsWith("v1,", signature);
        Assert.True(new WebhookVerifier(secret).Verify(body, "msg_from_node", timestamp, signature));
        Assert.False(new WebhookVerifier(secret).Verify(body + " ", "msg_from_node", timestamp, signature));
    }

    [Fact]
    public void SignaturesMadeByTheDotNetPackageVerifyWithWebhookVerifier()
    {
        var secret = WebhookSecret.Generate();
        var body = "{\"type\":\"alert.triggered\",\"data\":{\"value\":0.5}}";
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var signature = new StandardWebhook(secret).Sign("msg_from_dotnet", now, body);

        Assert.StartsWith("v1,", signature);
        Assert.True(new WebhookVerifier(secret).Verify(body, "msg_from_dotnet", timestamp, signature));
        Assert.False(new WebhookVerifier(secret).Verify(body + " ", "msg_from_dotnet", timestamp, signature));
    }

    private static HeaderDictionary Headers(string id, long timestamp, string signature) => new()
    {
        ["webhook-id"] = id,
        ["webhook-timestamp"] = timestamp.ToString(CultureInfo.InvariantCulture),
        ["webhook-signature"] = signature,
    };

    private static object Verify(string secret, string id, string timestamp, string signature, string body) =>
        new { verify = new { secret, id, timestamp, signature, body } };

    private static async Task<string[]> RunAsync(IReadOnlyList<object> cases)
    {
        var directory = Path.Combine(TestProcess.RepositoryRoot(), "tests", "node-clients");
        Assert.True(
            Directory.Exists(Path.Combine(directory, "node_modules", "standardwebhooks")),
            $"the standardwebhooks package is not installed in {directory}: run ./test.sh, which installs it (npm ci).");
        var node = TestProcess.RequiredTool("node", "Debian package nodejs");

        using var process = Process.Start(new ProcessStartInfo(node, "verify-webhook.mjs")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(cases));
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"node verify-webhook.mjs exited {process.ExitCode}: {await errors}");
        return JsonSerializer.Deserialize<string[]>(await output)!;
    }
}
