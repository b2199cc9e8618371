using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

/// <summary>Delivery end to end: a real host, its SQLite outbox, and a real receiver on 127.0.0.1.</summary>
public class WebhookDeliveryTests
{
    [Fact]
    public async Task AReceiverThatFailsThreeTimesGetsTheSameMessageOnTheFourthAttempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(0,
            new ScriptedResponse(429, RetryAfter: "1"), new ScriptedResponse(500), new ScriptedResponse(503));
        await using var host = await WebhookTestApp.StartAsync(receiver.Url(), [WebhookEventTypes.Test]);

        var messageId = await WebhookTestApp.SendTestAsync(host);
        await Wait.UntilAsync(() => receiver.Accepted.Count == 1, TimeSpan.FromSeconds(20), "the receiver accepts the message");
        await Wait.UntilAsync(async () => (await WebhookTestApp.DeliveriesAsync(host)).Length == 4, TimeSpan.FromSeconds(10), "the fourth attempt is logged");

        var received = receiver.Received;
        Assert.Equal([429, 500, 503, 200], received.Select(r => r.Status));
        Assert.All(received, r => Assert.Equal(messageId, r.Id)); // the webhook-id is stable across attempts
        Assert.All(received, r => Assert.True(new WebhookVerifier([WebhookTestApp.Secret]).Verify(r.Body, r.Id, r.Timestamp, r.Signature), "every attempt is signed afresh"));
        Assert.All(received, r => Assert.Equal("application/json; charset=utf-8", r.ContentType));
        Assert.Equal(received[0].Text, received[3].Text); // the same body every time
        Assert.True(received[1].ReceivedAt - received[0].ReceivedAt >= TimeSpan.FromMilliseconds(900), "Retry-After: 1 was honoured before the next quick attempt");

        var log = await WebhookTestApp.DeliveriesAsync(host);
        Assert.Equal([4, 3, 2, 1], log.Select(d => d.GetProperty("attempt").GetInt32()));
        Assert.Equal([200, 503, 500, 429], log.Select(d => d.GetProperty("statusCode").GetInt32()));
        Assert.All(log, d => Assert.Equal(messageId, d.GetProperty("messageId").GetString()));
        Assert.Equal("answered 503", log[1].GetProperty("response").GetString());
        Assert.True(log[0].GetProperty("succeeded").GetBoolean());
        Assert.All(log, d => Assert.True(d.GetProperty("duration").GetDouble() >= 0));

        var store = host.App.Services.GetRequiredService<WebhookSubscriptions>().Store!;
        var message = await store.GetWebhookMessageAsync(messageId, default);
        Assert.Equal((WebhookMessageState.Delivered, 4, 2), (message!.State, message.Attempts, message.Deliveries)); // 3 quick attempts, then the outbox's retry
    }

    [Fact]
    public async Task FailedRequestsAndChosenCustomEventsAreSentAndNothingElse()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await WebhookTestApp.StartAsync(receiver.Url(), [WebhookEventTypes.RequestFailed, WebhookEventTypes.EventTracked], ["deploy"]);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/status/503")).StatusCode);
        await host.Client.GetAsync("/status/404");
        await host.Client.GetAsync("/items/1");
        var events = await host.Client.PostAsJsonAsync("/analytics/api/events", new object[]
        {
            new { name = "deploy", properties = new { version = "1.2.3" }, success = true },
            new { name = "signup" },
        });
        Assert.Equal(HttpStatusCode.Accepted, events.StatusCode);
        await host.Pipeline.FlushAsync(default);

        await Wait.UntilAsync(() => receiver.Accepted.Count >= 2, TimeSpan.FromSeconds(10), "both messages arrive");
        Assert.Equal(["event.tracked", "request.failed"], WebhookTestApp.OutboxTypes(host.DatabasePath)); // what the batch queued, nothing more

        var failed = JsonDocument.Parse(receiver.Received.Single(r => r.Type == "request.failed").Body).RootElement.GetProperty("data");
        Assert.Equal("/status/{code:int}", failed.GetProperty("route").GetString());
        Assert.Equal(503, failed.GetProperty("statusCode").GetInt32());
        var tracked = JsonDocument.Parse(receiver.Received.Single(r => r.Type == "event.tracked").Body).RootElement.GetProperty("data");
        Assert.Equal("deploy", tracked.GetProperty("name").GetString());
        Assert.Equal("1.2.3", tracked.GetProperty("properties").GetProperty("version").GetString());
    }

    [Fact]
    public async Task WithoutSubscriptionsTheOutboxIsNotPolledYetASubscriptionCreatedLaterIsServedAtOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await EndpointTestApp.StartAsync(
            o =>
            {
                o.FlushInterval = TimeSpan.FromMilliseconds(50);
                o.Webhooks.AllowPrivateNetworks = true;
            },
            configureBuilder: b => b.Services.AddSingleton(new WebhookDeliveryPolicy())); // the default 1 s poll
        var dispatcher = host.App.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<WebhookDispatcher>().Single();
        await host.App.Services.GetRequiredService<WebhookSubscriptions>().EnsureLoadedAsync(default);
        Assert.Equal(TimeSpan.FromSeconds(30), dispatcher.IdleWait()); // an idle app leaves the store's write lock alone

        var created = await host.Client.PostAsync(
            "/analytics/api/webhooks",
            new StringContent($$"""{"url":"{{receiver.Url()}}","eventTypes":["request.failed"],"secret":"{{WebhookTestApp.Secret}}"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), dispatcher.IdleWait());

        // The dispatcher may be in its 30 s wait: the batch that queues the message wakes it.
        await host.Client.GetAsync("/status/503");
        await host.Pipeline.FlushAsync(default);
        await Wait.UntilAsync(() => receiver.Accepted.Count == 1, TimeSpan.FromSeconds(10), "the failed request is delivered well within the idle wait");
        Assert.Equal("request.failed", receiver.Received.Single().Type);
    }

    [Fact]
    public async Task A410DisablesTheSubscription()
    {
        await using var receiver = await WebhookReceiver.StartAsync(0, new ScriptedResponse(410));
        await using var host = await WebhookTestApp.StartAsync(receiver.Url(), [WebhookEventTypes.Test]);

        var messageId = await WebhookTestApp.SendTestAsync(host);
        await Wait.UntilAsync(
            async () => !(await host.Client.GetFromJsonAsync<JsonElement>("/analytics/api/webhooks/ops")).GetProperty("enabled").GetBoolean(),
            TimeSpan.FromSeconds(10),
            "the subscription is disabled");

        var subscription = await host.Client.GetFromJsonAsync<JsonElement>("/analytics/api/webhooks/ops");
        Assert.Contains("410", subscription.GetProperty("disabledReason").GetString());
        var message = await host.App.Services.GetRequiredService<WebhookSubscriptions>().Store!.GetWebhookMessageAsync(messageId, default);
        Assert.Equal((WebhookMessageState.Failed, 1), (message!.State, message.Attempts)); // no retry after a 410
        Assert.Equal(HttpStatusCode.Conflict, (await host.Client.PostAsync("/analytics/api/webhooks/ops/test", WebhookTestApp.EmptyJson())).StatusCode);
        Assert.Single(receiver.Received);
        Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Name == "WebhookSubscriptionGone");
    }

    [Fact]
    public async Task ADeclaredSubscriptionDisabledBy410StaysDisabledAfterARestartUntilAPutOfItsDefinitionEnablesIt()
    {
        using var directory = new TempDirectory();
        var database = directory.File("analytics.db");
        var keys = directory.File("keys");
        await using var receiver = await WebhookReceiver.StartAsync(0, new ScriptedResponse(410));
        var declared = new WebhookSubscriptionOptions { Id = "ops", Url = receiver.Url() };
        declared.EventTypes.Add(WebhookEventTypes.Test);
        declared.Secrets.Add(WebhookTestApp.Secret);
        await using (var first = await WebhookSecretsAtRestTests.StartAsync(database, keys, null, declared))
        {
            await WebhookTestApp.SendTestAsync(first);
            await Wait.UntilAsync(
                async () => !(await first.Client.GetFromJsonAsync<JsonElement>("/analytics/api/webhooks/ops")).GetProperty("enabled").GetBoolean(),
                TimeSpan.FromSeconds(10),
                "the subscription is disabled");
            await first.StopAsync();
        }

        await using var second = await WebhookSecretsAtRestTests.StartAsync(database, keys, null, declared);
        var afterRestart = await second.GetJsonAsync("/analytics/api/webhooks/ops");
        var changed = await second.Client.PutAsync("/analytics/api/webhooks/ops", Json($$"""{"url":"{{receiver.Url("/elsewhere")}}","eventTypes":["webhook.test"],"enabled":true}"""));
        var reenabled = await second.Client.PutAsync("/analytics/api/webhooks/ops", Json($$"""{"url":"{{receiver.Url()}}","eventTypes":["webhook.test"],"enabled":true}"""));
        await WebhookTestApp.SendTestAsync(second);
        await Wait.UntilAsync(() => receiver.Accepted.Count == 1, TimeSpan.FromSeconds(10), "the test message arrives once enabled");

        Assert.False(afterRestart.GetProperty("enabled").GetBoolean());
        Assert.Contains("410", afterRestart.GetProperty("disabledReason").GetString());
        Assert.Contains(second.Logs.GetSnapshot(), e => e.Id.Name == "WebhookDeclaredStaysDisabled" && e.Message.Contains("'ops'", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode); // declared: only enabling it, unchanged, is allowed here
        Assert.Equal(HttpStatusCode.OK, reenabled.StatusCode);
        var ops = await second.GetJsonAsync("/analytics/api/webhooks/ops");
        Assert.True(ops.GetProperty("enabled").GetBoolean());
        Assert.Equal("options", ops.GetProperty("source").GetString());
        Assert.False(ops.TryGetProperty("disabledReason", out _));
        Assert.True(new WebhookVerifier([WebhookTestApp.Secret]).Verify(
            receiver.Accepted[0].Body, receiver.Accepted[0].Id, receiver.Accepted[0].Timestamp, receiver.Accepted[0].Signature));
    }

    [Fact]
    public async Task AMessageIsNotGivenUpOnACachedDisabledStateTheStoreNoLongerHolds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await WebhookTestApp.StartAsync(receiver.Url(), [WebhookEventTypes.Test]);
        var subscriptions = host.App.Services.GetRequiredService<WebhookSubscriptions>();
        var store = subscriptions.Store!;
        await subscriptions.EnsureLoadedAsync(default); // the declared subscription is in the store

        // Another instance disabled the subscription, and this one has reloaded since: its cache says disabled.
        var ops = (await store.GetWebhookSubscriptionAsync("ops", default))!;
        await store.UpdateWebhookSubscriptionAsync(ops with { Enabled = false }, default);
        await subscriptions.ReloadAsync(default);
        Assert.False(subscriptions.All.Single(s => s.Id == "ops").Enabled);

        // Then it enabled it again and queued a message, before this instance's next reload.
        await store.UpdateWebhookSubscriptionAsync(ops with { Enabled = true }, default);
        var message = WebhookMessageFactory.NewMessage("ops", WebhookEventTypes.Test, """{"type":"webhook.test"}"""u8.ToArray(), DateTimeOffset.UtcNow);
        await store.EnqueueWebhookMessagesAsync([message], default);
        host.App.Services.GetRequiredService<WebhookOutboxSignal>().Notify();

        await Wait.UntilAsync(
            async () => (await store.GetWebhookMessageAsync(message.Id, default))?.State == WebhookMessageState.Delivered,
            TimeSpan.FromSeconds(10),
            "the message is delivered, not given up");
        Assert.Equal(message.Id, Assert.Single(receiver.Accepted).Id);
    }

    [Fact]
    public async Task RedirectsAreNotFollowedAndTheMessageIsGivenUpWhenTheScheduleRunsOut()
    {
        await using var receiver = await WebhookReceiver.StartAsync(0,
            new ScriptedResponse(302, Location: "/elsewhere"), new ScriptedResponse(307, Location: "/elsewhere"));
        var policy = new WebhookDeliveryPolicy { QuickDelay = TimeSpan.FromMilliseconds(10), Schedule = [TimeSpan.FromMilliseconds(100)], PollInterval = TimeSpan.FromMilliseconds(50) };
        await using var host = await WebhookTestApp.StartAsync(receiver.Url(), [WebhookEventTypes.Test], policy: policy);

        var messageId = await WebhookTestApp.SendTestAsync(host);
        var store = host.App.Services.GetRequiredService<WebhookSubscriptions>().Store!;
        await Wait.UntilAsync(
            async () => (await store.GetWebhookMessageAsync(messageId, default))?.State == WebhookMessageState.Failed,
            TimeSpan.FromSeconds(10),
            "the message is given up");

        Assert.Equal(["/hook", "/hook"], receiver.Received.Select(r => r.Path)); // /elsewhere never asked for
        Assert.Equal([307, 302], (await WebhookTestApp.DeliveriesAsync(host)).Select(d => d.GetProperty("statusCode").GetInt32()));
        Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Name == "WebhookGivenUp");
    }

    [Fact]
    public async Task MessagesPendingWhenTheHostStopsAreDeliveredOnceAfterARestart()
    {
        using var directory = new TempDirectory();
        var database = directory.File("analytics.db");
        using var reserved = WebhookReceiver.ReservePort(out var port); // nothing listens yet: every attempt is refused
        var url = $"http://127.0.0.1:{port}/hook";
        var ids = new List<string>();

        await using (var first = await WebhookTestApp.StartAsync(url, [WebhookEventTypes.Test, WebhookEventTypes.RequestFailed], databasePath: database))
        {
            for (var i = 0; i < 3; i++)
            {
                ids.Add(await WebhookTestApp.SendTestAsync(first));
            }

            await first.Client.GetAsync("/status/500");
            await first.Client.GetAsync("/fail");
            await first.Pipeline.FlushAsync(default);
            await Wait.UntilAsync(
                async () => (await WebhookTestApp.DeliveriesAsync(first)).Select(d => d.GetProperty("messageId").GetString()).Distinct().Count() == 5,
                TimeSpan.FromSeconds(10),
                "each of the five messages failed at least once");
            ids.AddRange((await WebhookTestApp.DeliveriesAsync(first)).Select(d => d.GetProperty("messageId").GetString()!).Except(ids).Distinct());
            Assert.All(await WebhookTestApp.DeliveriesAsync(first), d => Assert.False(d.GetProperty("succeeded").GetBoolean()));
            await first.StopAsync();
        }

        reserved.Dispose();
        await using var receiver = await WebhookReceiver.StartAsync(port);
        await using var second = await WebhookTestApp.StartAsync(url, [WebhookEventTypes.Test, WebhookEventTypes.RequestFailed], databasePath: database);

        await Wait.UntilAsync(() => receiver.Accepted.Count >= 5, TimeSpan.FromSeconds(15), "the five pending messages arrive after the restart");
        await second.Pipeline.FlushAsync(default);
        var store = second.App.Services.GetRequiredService<WebhookSubscriptions>().Store!;
        await Wait.UntilAsync(
            async () =>
            {
                foreach (var id in ids)
                {
                    if ((await store.GetWebhookMessageAsync(id, default))?.State != WebhookMessageState.Delivered)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(10),
            "every message is recorded as delivered");

        Assert.Equal(ids.Order(), receiver.Received.Select(r => r.Id).Order()); // each once: nothing lost, nothing doubled
        Assert.Equal(5, ids.Distinct().Count());
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
