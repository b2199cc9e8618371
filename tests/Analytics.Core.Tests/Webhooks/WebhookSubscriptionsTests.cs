using System.Security.Cryptography;
using System.Text;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// What the first load of the subscriptions does to the store: declared subscriptions copied in (a 410 Gone kept while
/// the declaration is unchanged), and plain secrets protected, once. Each harness over the same store is a restart.
/// </summary>
public class WebhookSubscriptionsTests
{
    private const string Url = "https://hooks.example.com/ops";
    private static readonly string Secret = WebhookSecret.Generate();

    [Fact]
    public async Task ADeclaredSubscriptionDisabledBy410StaysDisabledAcrossARestartWhileItsDeclarationIsUnchanged()
    {
        var store = new FakeStore(allCapabilities: true);
        await LoadAsync(store, Declared());
        await DisableAsGoneAsync(store);

        await using var restarted = Harness(store, Declared());
        await restarted.Services.GetRequiredService<WebhookSubscriptions>().ReloadAsync(default);

        var ops = await GetAsync(store);
        Assert.False(ops.Enabled);
        Assert.Equal("The receiver answered 410 Gone.", ops.DisabledReason);
        var log = Assert.Single(restarted.Logs.GetSnapshot(), e => e.Id.Name == "WebhookDeclaredStaysDisabled");
        Assert.Contains("'ops'", log.Message, StringComparison.Ordinal);
        Assert.Contains("410 Gone", log.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("url")]
    [InlineData("eventTypes")]
    [InlineData("eventNames")]
    [InlineData("secret")]
    [InlineData("disabledThenEnabled")]
    public async Task ChangingTheDeclarationOfASubscriptionDisabledBy410EnablesItAgain(string change)
    {
        var store = new FakeStore(allCapabilities: true);
        await LoadAsync(store, Declared());
        await DisableAsGoneAsync(store);
        var changed = Declared();
        switch (change)
        {
            case "url": changed.Url = "https://hooks.example.com/moved"; break;
            case "eventTypes": changed.EventTypes.Add(WebhookEventTypes.AlertTriggered); break;
            case "eventNames": changed.EventNames.Add("deploy"); break;
            case "secret": changed.Secrets[0] = WebhookSecret.Generate(); break;
            default:
                changed.Enabled = false;
                await LoadAsync(store, changed); // a restart with it disabled in options…
                changed.Enabled = true; // …then one with it enabled again
                break;
        }

        await using var restarted = Harness(store, changed);
        await restarted.Services.GetRequiredService<WebhookSubscriptions>().ReloadAsync(default);

        var ops = await GetAsync(store);
        Assert.True(ops.Enabled);
        Assert.Null(ops.DisabledReason);
        Assert.Equal(changed.Url, ops.Url);
        Assert.DoesNotContain(restarted.Logs.GetSnapshot(), e => e.Id.Name == "WebhookDeclaredStaysDisabled");
    }

    [Fact]
    public async Task PlainSecretsInTheStoreAreProtectedOnceAndTheDeclaredOnesNeverReachItInTheClear()
    {
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        var apiSecrets = new[] { WebhookSecret.Generate(), WebhookSecret.Generate() };
        await webhooks.AddWebhookSubscriptionAsync(
            new WebhookSubscription { Id = "wh_api", Url = Url, EventTypes = [WebhookEventTypes.Test], Secrets = apiSecrets }, default);

        // Two instances starting together on one store, then a restart.
        await using (var a = Harness(store, Declared(), new TestProtector()))
        await using (var b = Harness(store, Declared(), new TestProtector()))
        {
            await Task.WhenAll(
                a.Services.GetRequiredService<WebhookSubscriptions>().ReloadAsync(default),
                b.Services.GetRequiredService<WebhookSubscriptions>().ReloadAsync(default));
        }

        var once = await webhooks.ListWebhookSubscriptionsAsync(default);
        await using (var restarted = Harness(store, Declared(), new TestProtector()))
        {
            await restarted.Services.GetRequiredService<WebhookSubscriptions>().ReloadAsync(default);
        }

        var twice = await webhooks.ListWebhookSubscriptionsAsync(default);
        Assert.All(once.SelectMany(s => s.Secrets), s => Assert.StartsWith(WebhookSecretProtection.Prefix + TestProtector.Tag, s, StringComparison.Ordinal));
        Assert.Equal(once.SelectMany(s => s.Secrets), twice.SelectMany(s => s.Secrets)); // protected once: nothing rewritten at the restart
        var protection = new WebhookSecretProtection(new TestProtector());
        Assert.True(protection.TryReveal(once.Single(s => s.Id == "wh_api"), out var api));
        Assert.Equal(apiSecrets, api);
        Assert.True(protection.TryReveal(once.Single(s => s.Id == "ops"), out var declared));
        Assert.Equal([Secret], declared);
    }

    [Fact]
    public async Task SecretsProtectedWithAnotherKeyRingAreReportedByNameAndNeverLogged()
    {
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        var secret = WebhookSecret.Generate();
        var foreign = new WebhookSecretProtection(new TestProtector("other-ring"));
        await webhooks.AddWebhookSubscriptionAsync(
            new WebhookSubscription { Id = "wh_api", Url = Url, EventTypes = [WebhookEventTypes.Test], Secrets = [foreign.ToStored(secret)] }, default);

        await using var harness = Harness(store, declared: null, new TestProtector());
        await harness.Services.GetRequiredService<WebhookSubscriptions>().ReloadAsync(default);

        var log = Assert.Single(harness.Logs.GetSnapshot(), e => e.Id.Name == "WebhookSecretUnreadable");
        Assert.Contains("'wh_api'", log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Logs.GetSnapshot(), e => e.Message.Contains(secret[WebhookSecret.Prefix.Length..], StringComparison.Ordinal));
        Assert.False(new WebhookSecretProtection(new TestProtector()).TryReveal((await webhooks.GetWebhookSubscriptionAsync("wh_api", default))!, out _));
    }

    private static WebhookSubscriptionOptions Declared()
    {
        var ops = new WebhookSubscriptionOptions { Id = "ops", Url = Url };
        ops.EventTypes.Add(WebhookEventTypes.RequestFailed);
        ops.Secrets.Add(Secret);
        return ops;
    }

    private static PipelineHarness Harness(FakeStore store, WebhookSubscriptionOptions? declared, IWebhookSecretProtector? protector = null) => new(
        o =>
        {
            if (declared is not null)
            {
                o.Webhooks.Subscriptions.Add(declared);
            }
        },
        store: store,
        configureServices: services =>
        {
            if (protector is not null)
            {
                services.AddSingleton(protector);
            }
        });

    private static async Task LoadAsync(FakeStore store, WebhookSubscriptionOptions declared)
    {
        await using var harness = Harness(store, declared);
        await harness.Services.GetRequiredService<WebhookSubscriptions>().ReloadAsync(default);
    }

    /// <summary>What the dispatcher writes when the receiver answers 410 Gone.</summary>
    private static async Task DisableAsGoneAsync(FakeStore store)
    {
        IWebhookStore webhooks = store;
        var ops = await GetAsync(store);
        await webhooks.UpdateWebhookSubscriptionAsync(ops with { Enabled = false, DisabledReason = "The receiver answered 410 Gone." }, default);
    }

    private static async Task<WebhookSubscription> GetAsync(FakeStore store) =>
        (await ((IWebhookStore)store).GetWebhookSubscriptionAsync("ops", default))!;

    /// <summary>A reversible stand-in for Data Protection: text protected under another ring's tag cannot be read.</summary>
    private sealed class TestProtector(string ring = "ring") : IWebhookSecretProtector
    {
        public const string Tag = "ring.";

        public string Protect(string secret) => ring + "." + Convert.ToBase64String(Encoding.UTF8.GetBytes(secret).Reverse().ToArray());

        public string Unprotect(string protectedSecret) =>
            protectedSecret.StartsWith(ring + ".", StringComparison.Ordinal)
                ? Encoding.UTF8.GetString(Convert.FromBase64String(protectedSecret[(ring.Length + 1)..]).Reverse().ToArray())
                : throw new CryptographicException("The key is not in the key ring.");
    }
}
