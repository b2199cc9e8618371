using System.Text.Json;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using StandardWebhooks;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// Chat-format subscriptions through the real dispatcher and its client (the same outbox, retries and deliveries log),
/// to a receiver that answers 400 unless the body has the shape its service documents.
/// </summary>
public class ChatDeliveryTests
{
    private static readonly string Secret = WebhookSecret.Generate();

    private static PipelineHarness Harness(FakeTimeProvider clock, FakeStore store) => new(
        o =>
        {
            o.Webhooks.AllowPrivateNetworks = true; // the receiver is on 127.0.0.1
            o.DashboardUrl = new Uri("https://ops.example.com/analytics");
        },
        timeProvider: clock,
        store: store,
        configureServices: services => services.AddSingleton(new WebhookDeliveryPolicy { QuickRetries = 0 }));

    private static WebhookSubscription Subscription(string id, string url, WebhookFormat format) => new()
    {
        Id = id,
        Url = url,
        EventTypes = [WebhookEventTypes.AlertTriggered, WebhookEventTypes.RequestFailed],
        Format = format,
        Secrets = format == WebhookFormat.StandardWebhooks ? [Secret] : [],
        Source = DefinitionSource.Api,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task ChatMessagesAreDeliveredUnsignedInTheirServicesShapeBesideASignedStandardWebhooksOne()
    {
        await using var receiver = await ChatReceiver.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow); // the StandardWebhooks package checks the timestamp against the real clock
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        await using var harness = Harness(clock, store);
        var formats = Enum.GetValues<WebhookFormat>();
        foreach (var format in formats)
        {
            var name = format.ToString().ToLowerInvariant();
            await webhooks.AddWebhookSubscriptionAsync(Subscription(name, $"{receiver.BaseUrl}/{name}", format), default);
        }

        var payload = ChatFormatsTests.Triggered(clock.GetUtcNow());
        var subscriptions = (await webhooks.ListWebhookSubscriptionsAsync(default)).ToList();
        var messages = WebhookMessageFactory.ForEvent(subscriptions, WebhookEventTypes.AlertTriggered, payload, clock.GetUtcNow());
        await webhooks.EnqueueWebhookMessagesAsync(messages, default);
        var dispatcher = harness.Services.GetRequiredService<WebhookDispatcher>();

        Assert.Equal(4, await dispatcher.DispatchDueAsync(store, default));

        Assert.All(receiver.Requests, r => Assert.True(r.Status == 200, $"{r.Path}: {string.Join("; ", r.Problems)}"));
        Assert.Equal(["/discord", "/slack", "/standardwebhooks", "/teams"], receiver.Requests.Select(r => r.Path).Order());
        foreach (var chat in receiver.Requests.Where(r => r.Path != "/standardwebhooks"))
        {
            Assert.DoesNotContain(chat.Headers.Keys, h => h.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase)); // not signed
            Assert.Equal("application/json; charset=utf-8", chat.ContentType);
            Assert.Contains("https://ops.example.com/analytics/?route=%2Forders%2F%7Bid%7D&method=POST", System.Text.Encoding.UTF8.GetString(chat.Body), StringComparison.Ordinal);
        }

        var standard = receiver.Requests.Single(r => r.Path == "/standardwebhooks");
        Assert.Equal(payload, standard.Body);
        var headers = new HeaderDictionary(standard.Headers.ToDictionary(h => h.Key, h => new StringValues(h.Value), StringComparer.OrdinalIgnoreCase));
        new StandardWebhook(Secret).Verify(System.Text.Encoding.UTF8.GetString(standard.Body), headers); // throws unless signed with the secret
        foreach (var format in formats)
        {
            var attempt = Assert.Single(await webhooks.ReadWebhookAttemptsAsync(format.ToString().ToLowerInvariant(), 10, null, default));
            Assert.Equal((int?)200, attempt.StatusCode);
        }

        foreach (var m in messages)
        {
            Assert.Equal(WebhookMessageState.Delivered, (await webhooks.GetWebhookMessageAsync(m.Id, default))!.State);
        }
    }

    [Fact]
    public async Task AFormatChangeAppliesToMessagesStillPendingAndARefusedShapeIsRetriedLikeAnyFailure()
    {
        await using var receiver = await ChatReceiver.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        await using var harness = Harness(clock, store);
        // Posted to Slack's receiver as Teams: the receiver refuses it (400), as Slack would, and the outbox keeps it.
        var subscription = Subscription("ops", $"{receiver.BaseUrl}/slack", WebhookFormat.Teams);
        await webhooks.AddWebhookSubscriptionAsync(subscription, default);
        var message = WebhookMessageFactory.NewMessage("ops", WebhookEventTypes.AlertTriggered, ChatFormatsTests.Triggered(clock.GetUtcNow()), clock.GetUtcNow());
        await webhooks.EnqueueWebhookMessagesAsync([message], default);
        var dispatcher = harness.Services.GetRequiredService<WebhookDispatcher>();

        Assert.Equal(1, await dispatcher.DispatchDueAsync(store, default));
        await webhooks.UpdateWebhookSubscriptionAsync(subscription with { Format = WebhookFormat.Slack }, default);
        await harness.Services.GetRequiredService<WebhookSubscriptions>().ReloadAsync(default);
        clock.Advance(TimeSpan.FromSeconds(5)); // the schedule's first delay
        Assert.Equal(1, await dispatcher.DispatchDueAsync(store, default));

        Assert.Equal([400, 200], receiver.Requests.Select(r => r.Status));
        using var slack = JsonDocument.Parse(receiver.Requests[1].Body);
        Assert.True(slack.RootElement.TryGetProperty("blocks", out _));
        var stored = (await webhooks.GetWebhookMessageAsync(message.Id, default))!;
        Assert.Equal((WebhookMessageState.Delivered, 2), (stored.State, stored.Attempts));
        Assert.Equal(message.Payload, stored.Payload); // the outbox keeps the Standard Webhooks body; the format is applied at delivery
    }
}
