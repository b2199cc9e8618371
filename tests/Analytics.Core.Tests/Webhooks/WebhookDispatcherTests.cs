using Analytics.Storage;
using Analytics.Telemetry;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// The webhook dispatcher over the core services and a <see cref="FakeStore"/>, without a web host: it sends through
/// its real client (the SocketsHttpHandler, with private networks allowed) to a receiver on 127.0.0.1. Each round is
/// asked for with <c>DispatchDueAsync</c> and the clock is moved by hand, so every retry comes due when the test says.
/// </summary>
public class WebhookDispatcherTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 5, TimeSpan.Zero);
    private static readonly string Secret = WebhookSecret.Generate();

    // One HTTP attempt per delivery: the quick retries wait on the clock, which only the test moves. The long delays
    // are the default schedule's (5 s, 5 min, 30 min, ...).
    private static readonly WebhookDeliveryPolicy OneAttemptPerDelivery = new() { QuickRetries = 0 };

    private static PipelineHarness Harness(FakeTimeProvider clock, FakeStore store, WebhookDeliveryPolicy? policy = null) => new(
        o => o.Webhooks.AllowPrivateNetworks = true, // the receiver is on 127.0.0.1
        timeProvider: clock,
        store: store,
        configureServices: services => services.AddSingleton(policy ?? OneAttemptPerDelivery));

    private static WebhookSubscription Subscription(string id, string url, bool enabled = true) => new()
    {
        Id = id, Url = url, EventTypes = [WebhookEventTypes.Test], Secrets = [Secret], Enabled = enabled, Source = DefinitionSource.Api, CreatedAt = Start,
    };

    private static WebhookMessage Message(string subscriptionId, DateTimeOffset now) =>
        WebhookMessageFactory.NewMessage(subscriptionId, WebhookEventTypes.Test, """{"type":"webhook.test","data":{}}"""u8.ToArray(), now);

    [Fact]
    public async Task ADueMessageIsDeliveredOnceAndLoggedAsOneAttempt()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        await using var harness = Harness(clock, store);
        await webhooks.AddWebhookSubscriptionAsync(Subscription("ops", receiver.Url), default);
        var message = Message("ops", clock.GetUtcNow());
        await webhooks.EnqueueWebhookMessagesAsync([message], default);
        var dispatcher = harness.Services.GetRequiredService<WebhookDispatcher>();

        var claimed = await dispatcher.DispatchDueAsync(store, default);
        var again = await dispatcher.DispatchDueAsync(store, default);

        Assert.Equal((1, 0), (claimed, again)); // delivered: nothing is due any more
        var received = Assert.Single(receiver.Requests);
        Assert.Equal(message.Id, received.Id);
        Assert.Equal(message.Payload, received.Body);
        Assert.True(new WebhookVerifier([Secret], clock).Verify(received.Body, received.Id, received.Timestamp, received.Signature));
        var stored = (await webhooks.GetWebhookMessageAsync(message.Id, default))!;
        Assert.Equal((WebhookMessageState.Delivered, 1, 1), (stored.State, stored.Attempts, stored.Deliveries));
        var attempt = Assert.Single(await webhooks.ReadWebhookAttemptsAsync("ops", 10, null, default));
        Assert.Equal((message.Id, 1, (int?)200, "answered 200"), (attempt.MessageId, attempt.Attempt, attempt.StatusCode, attempt.Response));
        Assert.True(attempt.Succeeded);
    }

    [Fact]
    public async Task A500IsTriedAgainWhenTheScheduleSaysUntilItIsDelivered()
    {
        await using var receiver = await LoopbackReceiver.StartAsync(500, 500);
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        await using var harness = Harness(clock, store);
        await webhooks.AddWebhookSubscriptionAsync(Subscription("ops", receiver.Url), default);
        var message = Message("ops", clock.GetUtcNow());
        await webhooks.EnqueueWebhookMessagesAsync([message], default);
        var dispatcher = harness.Services.GetRequiredService<WebhookDispatcher>();
        async Task<WebhookMessage> StoredAsync() => (await webhooks.GetWebhookMessageAsync(message.Id, default))!;

        Assert.Equal(1, await dispatcher.DispatchDueAsync(store, default)); // 500
        var first = await StoredAsync();
        Assert.Equal((WebhookMessageState.Pending, 1, 1, Start.AddSeconds(5)), (first.State, first.Attempts, first.Deliveries, first.NextAttemptAt));

        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(store, default)); // not due yet
        clock.Advance(TimeSpan.FromSeconds(1)); // 5 s after the first delivery
        Assert.Equal(1, await dispatcher.DispatchDueAsync(store, default)); // 500 again
        var second = await StoredAsync();
        Assert.Equal((WebhookMessageState.Pending, 2, 2, Start.AddSeconds(5) + TimeSpan.FromMinutes(5)), (second.State, second.Attempts, second.Deliveries, second.NextAttemptAt));

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await dispatcher.DispatchDueAsync(store, default)); // 200
        var delivered = await StoredAsync();
        Assert.Equal((WebhookMessageState.Delivered, 3, 3), (delivered.State, delivered.Attempts, delivered.Deliveries));

        Assert.Equal([500, 500, 200], receiver.Requests.Select(r => r.Status));
        Assert.All(receiver.Requests, r => Assert.Equal(message.Id, r.Id)); // the same webhook-id on every attempt
        var log = await webhooks.ReadWebhookAttemptsAsync("ops", 10, null, default);
        Assert.Equal([3, 2, 1], log.Select(a => a.Attempt)); // newest first
        Assert.Equal([200, 500, 500], log.Select(a => a.StatusCode ?? 0));
    }

    [Fact]
    public async Task AMessageIsGivenUpWhenTheScheduleRunsOut()
    {
        await using var receiver = await LoopbackReceiver.StartAsync(500, 500, 500);
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        await using var harness = Harness(clock, store, new WebhookDeliveryPolicy { QuickRetries = 0, Schedule = [TimeSpan.FromSeconds(5)] });
        await webhooks.AddWebhookSubscriptionAsync(Subscription("ops", receiver.Url), default);
        var message = Message("ops", clock.GetUtcNow());
        await webhooks.EnqueueWebhookMessagesAsync([message], default);
        var dispatcher = harness.Services.GetRequiredService<WebhookDispatcher>();

        Assert.Equal(1, await dispatcher.DispatchDueAsync(store, default)); // 500: one more delivery in 5 s
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await dispatcher.DispatchDueAsync(store, default)); // 500: the schedule has no more
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(store, default));

        var failed = (await webhooks.GetWebhookMessageAsync(message.Id, default))!;
        Assert.Equal((WebhookMessageState.Failed, 2, 2), (failed.State, failed.Attempts, failed.Deliveries));
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Id.Name == "WebhookGivenUp");
    }

    [Fact]
    public async Task A410DisablesTheSubscriptionAndFailsItsMessages()
    {
        await using var receiver = await LoopbackReceiver.StartAsync(410);
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;

        // One message a round, so that the second is claimed after the first one's 410 was handled.
        await using var harness = Harness(clock, store, new WebhookDeliveryPolicy { QuickRetries = 0, MaxConcurrency = 1 });
        await webhooks.AddWebhookSubscriptionAsync(Subscription("ops", receiver.Url), default);
        var gone = Message("ops", clock.GetUtcNow());
        var next = Message("ops", clock.GetUtcNow());
        await webhooks.EnqueueWebhookMessagesAsync([gone, next], default);
        var dispatcher = harness.Services.GetRequiredService<WebhookDispatcher>();

        Assert.Equal(1, await dispatcher.DispatchDueAsync(store, default)); // 410
        Assert.Equal(1, await dispatcher.DispatchDueAsync(store, default)); // the next one, for a disabled subscription
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(store, default)); // neither is tried again

        var subscription = (await webhooks.GetWebhookSubscriptionAsync("ops", default))!;
        Assert.False(subscription.Enabled);
        Assert.Contains("410", subscription.DisabledReason);
        var first = (await webhooks.GetWebhookMessageAsync(gone.Id, default))!;
        var second = (await webhooks.GetWebhookMessageAsync(next.Id, default))!;
        Assert.Equal((WebhookMessageState.Failed, 1), (first.State, first.Attempts));
        Assert.Equal((WebhookMessageState.Failed, 0), (second.State, second.Attempts));
        Assert.Equal([gone.Id], receiver.Requests.Select(r => r.Id));
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Id.Name == "WebhookSubscriptionGone");
    }

    [Fact]
    public async Task MessagesOfADeletedOrDisabledSubscriptionAreFailedWithoutBeingSent()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        await using var harness = Harness(clock, store);

        // All three point at the receiver, so a message sent when it should not have been would arrive there.
        await webhooks.AddWebhookSubscriptionAsync(Subscription("ops", receiver.Url), default);
        await webhooks.AddWebhookSubscriptionAsync(Subscription("off", receiver.Url, enabled: false), default);
        await webhooks.AddWebhookSubscriptionAsync(Subscription("gone", receiver.Url), default);
        var toOps = Message("ops", clock.GetUtcNow());
        var toOff = Message("off", clock.GetUtcNow());
        var toGone = Message("gone", clock.GetUtcNow());
        await webhooks.EnqueueWebhookMessagesAsync([toOps, toOff, toGone], default);
        await webhooks.DeleteWebhookSubscriptionAsync("gone", default);
        var dispatcher = harness.Services.GetRequiredService<WebhookDispatcher>();

        Assert.Equal(3, await dispatcher.DispatchDueAsync(store, default));
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(store, default)); // nothing was left to try again

        Assert.Equal([toOps.Id], receiver.Requests.Select(r => r.Id));
        Assert.Equal(WebhookMessageState.Delivered, (await webhooks.GetWebhookMessageAsync(toOps.Id, default))!.State);
        foreach (var dropped in new[] { toOff, toGone })
        {
            var stored = (await webhooks.GetWebhookMessageAsync(dropped.Id, default))!;
            Assert.Equal((WebhookMessageState.Failed, 0, 0), (stored.State, stored.Attempts, stored.Deliveries));
        }

        Assert.Empty(await webhooks.ReadWebhookAttemptsAsync("off", 10, null, default));
        var why = harness.Logs.GetSnapshot().Where(e => e.Id.Name == "WebhookSubscriptionMissing").Select(e => e.Message).ToList();
        Assert.Equal(2, why.Count);
        Assert.Contains(why, m => m.Contains($"{toGone.Id} was not sent: its subscription 'gone' is deleted", StringComparison.Ordinal));
        Assert.Contains(why, m => m.Contains($"{toOff.Id} was not sent: its subscription 'off' is disabled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheLoopSendsWhatTheOutboxSignalAnnouncesAndStopsWhenAsked()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var clock = new TimerWatchingFakeTimeProvider(Start); // never moved: only the signal can end the loop's idle wait
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        await using var harness = Harness(clock, store);
        await webhooks.AddWebhookSubscriptionAsync(Subscription("ops", receiver.Url), default);
        var dispatcher = harness.Services.GetRequiredService<WebhookDispatcher>();
        var signal = harness.Services.GetRequiredService<WebhookOutboxSignal>();

        await dispatcher.StartAsync(default);
        try
        {
            await Wait.UntilAsync(() => clock.PendingTimers == 1, TimeSpan.FromSeconds(10), "the loop found nothing due and waits");
            var message = Message("ops", clock.GetUtcNow());
            await webhooks.EnqueueWebhookMessagesAsync([message], default);
            signal.Notify();

            await Wait.UntilAsync(
                async () => (await webhooks.GetWebhookMessageAsync(message.Id, default))?.State == WebhookMessageState.Delivered,
                TimeSpan.FromSeconds(10),
                "the signalled message is delivered");
            Assert.Equal([message.Id], receiver.Requests.Select(r => r.Id));
        }
        finally
        {
            await dispatcher.StopAsync(default);
        }

        Assert.True(dispatcher.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AReceiverThatNeverAnswersHoldsOnlyItsOwnSlotsAndTheOthersMessagesAllGoOut()
    {
        await using var silent = SilentReceiver.Start();
        await using var healthy = await LoopbackReceiver.StartAsync();
        var clock = new TimerWatchingFakeTimeProvider(Start); // never moved: the silent receiver's attempts never time out
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;
        await using var harness = Harness(clock, store);
        await webhooks.AddWebhookSubscriptionAsync(Subscription("stuck", silent.Url), default);
        await webhooks.AddWebhookSubscriptionAsync(Subscription("ok", healthy.Url), default);

        // The stuck subscription's messages are queued first, so they are the oldest due: more than every slot there is.
        var stuck = Enumerable.Range(0, 40).Select(_ => Message("stuck", clock.GetUtcNow())).ToList();
        var ok = Enumerable.Range(0, 40).Select(_ => Message("ok", clock.GetUtcNow())).ToList();
        await webhooks.EnqueueWebhookMessagesAsync(stuck, default);
        await webhooks.EnqueueWebhookMessagesAsync(ok, default);
        var dispatcher = harness.Services.GetRequiredService<WebhookDispatcher>();

        await dispatcher.StartAsync(default);
        try
        {
            await Wait.UntilAsync(
                async () => (await Task.WhenAll(ok.Select(m => webhooks.GetWebhookMessageAsync(m.Id, default))))
                    .All(m => m?.State == WebhookMessageState.Delivered),
                TimeSpan.FromSeconds(30),
                "every message of the healthy subscription is delivered while the other receiver holds its requests");

            Assert.Equal(40, healthy.Requests.Count);
            await Wait.UntilAsync(() => silent.Connections == 4, TimeSpan.FromSeconds(10), "the stuck subscription fills its 4 slots");
            foreach (var message in stuck)
            {
                Assert.Equal(0, (await webhooks.GetWebhookMessageAsync(message.Id, default))!.Deliveries); // none has ended
            }
        }
        finally
        {
            await dispatcher.StopAsync(default);
        }

        Assert.Equal(4, silent.Connections); // the default MaxConcurrentDeliveriesPerSubscription, and never more
        Assert.True(dispatcher.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ADispatcherPausedPastItsLeaseCannotOverwriteTheOutcomeOfTheOneThatClaimedTheMessageAfterIt()
    {
        // The paused dispatcher's request is answered 500, but only after the other one has delivered the message.
        await using var receiver = await LoopbackReceiver.StartAsync(500);
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);
        IWebhookStore webhooks = store;

        // Two instances of the app on one store and one clock. An attempt may outlast the lease here, as it can when its
        // process is frozen: the lease runs out while the paused dispatcher still waits for its answer.
        var policy = new WebhookDeliveryPolicy { QuickRetries = 0, AttemptTimeout = TimeSpan.FromHours(1) };
        await using var pausedInstance = Harness(clock, store, policy);
        await using var otherInstance = Harness(clock, store, policy);
        await webhooks.AddWebhookSubscriptionAsync(Subscription("ops", receiver.Url), default);
        var message = Message("ops", clock.GetUtcNow());
        await webhooks.EnqueueWebhookMessagesAsync([message], default);
        var held = receiver.HoldNextAnswer();

        var pausedRound = pausedInstance.Services.GetRequiredService<WebhookDispatcher>().DispatchDueAsync(store, default);
        await held.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(policy.Lease);
        Assert.Equal(1, await otherInstance.Services.GetRequiredService<WebhookDispatcher>().DispatchDueAsync(store, default));
        held.Release();
        Assert.Equal(1, await pausedRound.WaitAsync(TimeSpan.FromSeconds(10)));

        var stored = (await webhooks.GetWebhookMessageAsync(message.Id, default))!;
        Assert.Equal((WebhookMessageState.Delivered, 1, 1), (stored.State, stored.Attempts, stored.Deliveries));
        var attempt = Assert.Single(await webhooks.ReadWebhookAttemptsAsync("ops", 10, null, default));
        Assert.Equal(200, attempt.StatusCode);
        Assert.Equal([200, 500], receiver.Requests.Select(r => r.Status).Order()); // both dispatchers sent it
        var fenced = Assert.Single(pausedInstance.Logs.GetSnapshot(), e => e.Id.Name == "WebhookCompletionFenced");
        Assert.Contains(message.Id, fenced.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pausedInstance.Logs.GetSnapshot(), e => e.Id.Name == "WebhookDeliveryFailed");
        Assert.Equal(
            [(WebhookEventTypes.Test, "superseded", 1L)],
            pausedInstance.Services.GetRequiredService<AnalyticsMetrics>().WebhookDeliveries);
    }
}
