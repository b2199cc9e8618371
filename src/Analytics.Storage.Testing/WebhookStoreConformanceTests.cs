using System.Text;
using Analytics.Webhooks;
using static Analytics.Storage.Testing.WebhookTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The suite of <see cref="StoreCapabilities.Webhooks"/> (<see cref="IWebhookStore"/>): subscriptions, the outbox
/// (filled in the batch's transaction), leased claims, completions and the deliveries log, and their purge. Derive a
/// public class from it, for the same factory as <see cref="AnalyticsStoreConformanceTests{TFactory}"/>, when the store
/// declares the capability.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
public abstract class WebhookStoreConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    private IWebhookStore Webhooks => Declared(static c => c.Webhooks, nameof(StoreCapabilities.Webhooks));

    private static WebhookSubscription Subscription(string id, string url = "https://hooks.example.com/a") => new()
    {
        Id = id,
        Url = url,
        EventTypes = [WebhookEventTypes.RequestFailed, WebhookEventTypes.EventTracked],
        EventNames = ["deploy", "name with spaces and ünïcode"],
        Secrets = ["whsec_" + Convert.ToBase64String(new byte[32]), "whsec_" + Convert.ToBase64String(Enumerable.Repeat((byte)7, 24).ToArray())],
        Source = DefinitionSource.Api,
        CreatedAt = T0,
    };

    private static void AssertSameSubscription(WebhookSubscription expected, WebhookSubscription? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Url, actual.Url);
        Assert.Equal(expected.EventTypes, actual.EventTypes);
        Assert.Equal(expected.EventNames, actual.EventNames);
        Assert.Equal(expected.Enabled, actual.Enabled);
        Assert.Equal(expected.DisabledReason, actual.DisabledReason);
        Assert.Equal(expected.Secrets, actual.Secrets);
        Assert.Equal(expected.Format, actual.Format);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
    }

    /// <summary>Subscriptions read back as written, in id order, and a taken id is refused.</summary>
    [Fact]
    public async Task WebhookSubscriptionsRoundTripAndIdsAreUnique()
    {
        var subscription = Subscription("b");
        Assert.True(await Webhooks.AddWebhookSubscriptionAsync(subscription, default));
        Assert.True(await Webhooks.AddWebhookSubscriptionAsync(
            Subscription("a") with { EventNames = [], Enabled = false, DisabledReason = "gone" }, default));

        Assert.False(await Webhooks.AddWebhookSubscriptionAsync(Subscription("b", "https://other.example.com/"), default));
        AssertSameSubscription(subscription, await Webhooks.GetWebhookSubscriptionAsync("b", default));
        Assert.Equal(["a", "b"], (await Webhooks.ListWebhookSubscriptionsAsync(default)).Select(s => s.Id));
        Assert.Empty((await Webhooks.GetWebhookSubscriptionAsync("a", default))!.EventNames);
        Assert.Null(await Webhooks.GetWebhookSubscriptionAsync("missing", default));
    }

    /// <summary>Updating a subscription replaces every field but its id and creation time.</summary>
    [Fact]
    public async Task UpdatingASubscriptionReplacesEverythingButItsIdAndCreationTime()
    {
        await Webhooks.AddWebhookSubscriptionAsync(Subscription("s"), default);
        var changed = Subscription("s", "https://new.example.com/hook") with
        {
            EventTypes = [WebhookEventTypes.AlertTriggered],
            EventNames = [],
            Enabled = false,
            DisabledReason = "The receiver answered 410 Gone.",
            Secrets = ["whsec_" + Convert.ToBase64String(new byte[40])],
            Format = WebhookFormat.Teams,
            Source = DefinitionSource.Options,
            CreatedAt = T0.AddDays(1),
        };

        Assert.True(await Webhooks.UpdateWebhookSubscriptionAsync(changed, default));
        Assert.False(await Webhooks.UpdateWebhookSubscriptionAsync(Subscription("missing"), default));

        AssertSameSubscription(changed with { CreatedAt = T0 }, await Webhooks.GetWebhookSubscriptionAsync("s", default));
    }

    /// <summary>
    /// Each body format reads back as written, and changes with an update; a chat format has no secrets (it is not
    /// signed), which reads back as an empty list.
    /// </summary>
    [Fact]
    public async Task WebhookFormatsRoundTripWithoutSecrets()
    {
        foreach (var format in Enum.GetValues<WebhookFormat>())
        {
            var subscription = Subscription("f-" + format) with
            {
                Format = format,
                Secrets = format == WebhookFormat.StandardWebhooks ? Subscription("x").Secrets : [],
            };
            Assert.True(await Webhooks.AddWebhookSubscriptionAsync(subscription, default));
            AssertSameSubscription(subscription, await Webhooks.GetWebhookSubscriptionAsync(subscription.Id, default));
        }

        var discord = (await Webhooks.GetWebhookSubscriptionAsync("f-Discord", default))!;
        Assert.True(await Webhooks.UpdateWebhookSubscriptionAsync(discord with { Format = WebhookFormat.Slack }, default));
        Assert.Equal(
            [WebhookFormat.Slack, WebhookFormat.Slack, WebhookFormat.StandardWebhooks, WebhookFormat.Teams], // ids f-Discord, f-Slack, ...
            (await Webhooks.ListWebhookSubscriptionsAsync(default)).Select(s => s.Format));
    }

    /// <summary>
    /// Deleting a subscription deletes its deliveries log and leaves its messages to fail when they come due.
    /// </summary>
    [Fact]
    public async Task DeletingASubscriptionDeletesItsDeliveriesLog()
    {
        await Webhooks.AddWebhookSubscriptionAsync(Subscription("s"), default);
        await Webhooks.EnqueueWebhookMessagesAsync([Message("msg_1", "s", T0)], default);
        var claimed = await Webhooks.ClaimWebhookMessagesAsync(T0, T0.AddMinutes(5), 10, default);
        await Webhooks.CompleteWebhookMessageAsync(
            claimed[0] with { Attempts = 1, Deliveries = 1, NextAttemptAt = T0.AddSeconds(5) },
            [Attempt("msg_1", "s", 1, 500)],
            default);

        Assert.True(await Webhooks.DeleteWebhookSubscriptionAsync("s", default));
        Assert.False(await Webhooks.DeleteWebhookSubscriptionAsync("s", default));

        Assert.Empty(await Webhooks.ReadWebhookAttemptsAsync("s", 10, null, default));
        Assert.NotNull(await Webhooks.GetWebhookMessageAsync("msg_1", default)); // left to fail when it comes due
    }

    /// <summary>A batch's webhook messages are written with it, in its transaction.</summary>
    [Fact]
    public async Task WebhookMessagesAreWrittenInTheBatchTransaction()
    {
        var batch = new AnalyticsBatch();
        batch.AddRequest(StoreTestData.Request(T0));
        batch.AddWebhookMessage(Message("msg_a", "s", T0, "{\"n\":1}"));
        batch.AddWebhookMessage(Message("msg_b", "s", T0, "{\"n\":2}"));

        await Store.WriteBatchAsync(batch, default);

        var claimed = await Webhooks.ClaimWebhookMessagesAsync(T0, T0.AddMinutes(5), 10, default);
        Assert.Equal(["msg_a", "msg_b"], claimed.Select(m => m.Id).Order());
        Assert.Equal("{\"n\":2}", Encoding.UTF8.GetString(claimed.Single(m => m.Id == "msg_b").Payload));
    }

    /// <summary>
    /// A claim takes the due messages and leases them: no other claim takes them until the lease ends.
    /// </summary>
    [Fact]
    public async Task AClaimLeasesMessagesUntilTheLeaseEnds()
    {
        await Webhooks.EnqueueWebhookMessagesAsync(
            [Message("msg_1", "s", T0), Message("msg_2", "s", T0.AddSeconds(1)), Message("msg_later", "s", T0.AddMinutes(10))], default);

        var first = await Webhooks.ClaimWebhookMessagesAsync(T0.AddSeconds(1), T0.AddMinutes(5), 10, default);
        var whileLeased = await Webhooks.ClaimWebhookMessagesAsync(T0.AddMinutes(1), T0.AddMinutes(6), 10, default);
        var afterLease = await Webhooks.ClaimWebhookMessagesAsync(T0.AddMinutes(5), T0.AddMinutes(10), 1, default);

        Assert.Equal(["msg_1", "msg_2"], first.Select(m => m.Id));
        Assert.Empty(whileLeased);
        Assert.Single(afterLease); // the limit holds
        Assert.All(first, m => Assert.Equal(WebhookMessageState.Pending, m.State));
    }

    /// <summary>
    /// Completing a message records its state, counts and next attempt, and its attempts in the deliveries log, which
    /// pages newest first.
    /// </summary>
    [Fact]
    public async Task CompletingAMessageRecordsItsStateAndAttempts()
    {
        await Webhooks.EnqueueWebhookMessagesAsync(
            [Message("msg_ok", "s", T0), Message("msg_retry", "s", T0), Message("msg_failed", "s", T0)], default);
        var claimed = (await Webhooks.ClaimWebhookMessagesAsync(T0, T0.AddMinutes(5), 10, default)).ToDictionary(m => m.Id);

        await Webhooks.CompleteWebhookMessageAsync(
            claimed["msg_ok"] with { State = WebhookMessageState.Delivered, Attempts = 2, Deliveries = 1 },
            [Attempt("msg_ok", "s", 1, 503), Attempt("msg_ok", "s", 2, 200)],
            default);
        await Webhooks.CompleteWebhookMessageAsync(
            claimed["msg_retry"] with { Attempts = 1, Deliveries = 1, NextAttemptAt = T0.AddSeconds(5) },
            [Attempt("msg_retry", "s", 1, null, "Connection refused")],
            default);
        await Webhooks.CompleteWebhookMessageAsync(claimed["msg_failed"] with { State = WebhookMessageState.Failed }, [], default);

        var stored = await Webhooks.GetWebhookMessageAsync("msg_ok", default);
        Assert.Equal((WebhookMessageState.Delivered, 2, 1), (stored!.State, stored.Attempts, stored.Deliveries));
        Assert.Empty(await Webhooks.ClaimWebhookMessagesAsync(T0.AddSeconds(4), T0.AddMinutes(5), 10, default));
        Assert.Equal(["msg_retry"], (await Webhooks.ClaimWebhookMessagesAsync(T0.AddSeconds(5), T0.AddMinutes(5), 10, default)).Select(m => m.Id));

        var log = await Webhooks.ReadWebhookAttemptsAsync("s", 10, null, default);
        Assert.Equal([("msg_retry", 1, (int?)null), ("msg_ok", 2, 200), ("msg_ok", 1, 503)], log.Select(a => (a.MessageId, a.Attempt, a.StatusCode)));
        Assert.Equal("Connection refused", log[0].Error);
        Assert.Equal(TimeSpan.FromMilliseconds(12.345), log[1].Duration);
        Assert.Equal("{\"ok\":true}", log[1].Response);
        Assert.True(log[1].Succeeded);
        Assert.False(log[2].Succeeded);

        var page2 = await Webhooks.ReadWebhookAttemptsAsync("s", 2, log[1].Id, default);
        Assert.Equal([log[2].Id], page2.Select(a => a.Id));
        Assert.Empty(await Webhooks.ReadWebhookAttemptsAsync("other", 10, null, default));
    }

    /// <summary>
    /// A completion is fenced by its claim: once the lease ran out and another dispatcher claimed the message, the first
    /// one's completion writes nothing, attempts included, and says so; the newer claim's completion applies.
    /// </summary>
    [Fact]
    public async Task ACompletionAfterTheMessageWasClaimedAgainChangesNothing()
    {
        await Webhooks.EnqueueWebhookMessagesAsync([Message("msg_1", "s", T0)], default);
        var first = Assert.Single(await Webhooks.ClaimWebhookMessagesAsync(T0, T0.AddMinutes(5), 10, default));
        var second = Assert.Single(await Webhooks.ClaimWebhookMessagesAsync(T0.AddMinutes(5), T0.AddMinutes(10), 10, default));
        Assert.NotEqual(first.ClaimToken, second.ClaimToken);

        // The first dispatcher, paused past its lease, comes back: a failure to retry, then the same through the plain call.
        var late = first with { Attempts = 1, Deliveries = 1, NextAttemptAt = T0.AddMinutes(5).AddSeconds(5) };
        Assert.False(await Webhooks.TryCompleteWebhookMessageAsync(late, [Attempt("msg_1", "s", 1, 500)], default));
        await Webhooks.CompleteWebhookMessageAsync(late with { State = WebhookMessageState.Failed }, [Attempt("msg_1", "s", 1, 500)], default);

        var untouched = await Webhooks.GetWebhookMessageAsync("msg_1", default);
        Assert.Equal(
            (WebhookMessageState.Pending, 0, 0, T0.AddMinutes(10), second.ClaimToken),
            (untouched!.State, untouched.Attempts, untouched.Deliveries, untouched.NextAttemptAt, untouched.ClaimToken));
        Assert.Empty(await Webhooks.ReadWebhookAttemptsAsync("s", 10, null, default));

        var delivered = second with { State = WebhookMessageState.Delivered, Attempts = 1, Deliveries = 1 };
        Assert.True(await Webhooks.TryCompleteWebhookMessageAsync(delivered, [Attempt("msg_1", "s", 1, 200)], default));
        Assert.False(await Webhooks.TryCompleteWebhookMessageAsync(late, [Attempt("msg_1", "s", 1, 500)], default)); // still fenced

        var stored = await Webhooks.GetWebhookMessageAsync("msg_1", default);
        Assert.Equal((WebhookMessageState.Delivered, 1, 1), (stored!.State, stored.Attempts, stored.Deliveries));
        Assert.Equal([200], (await Webhooks.ReadWebhookAttemptsAsync("s", 10, null, default)).Select(a => a.StatusCode ?? 0));
    }

    /// <summary>
    /// A message never claimed has token 0, as rows stored before there were tokens do: completing it with the token it
    /// was read with applies, and a completion for a message that is not there applies nothing.
    /// </summary>
    [Fact]
    public async Task AMessageNeverClaimedCompletesWithTheTokenItWasReadWith()
    {
        await Webhooks.EnqueueWebhookMessagesAsync([Message("msg_1", "s", T0)], default);
        var read = await Webhooks.GetWebhookMessageAsync("msg_1", default);
        Assert.Equal(0, read!.ClaimToken);

        Assert.True(await Webhooks.TryCompleteWebhookMessageAsync(
            read with { State = WebhookMessageState.Failed }, [Attempt("msg_1", "s", 1, 500)], default));
        Assert.False(await Webhooks.TryCompleteWebhookMessageAsync(
            Message("msg_missing", "s", T0) with { State = WebhookMessageState.Failed }, [Attempt("msg_missing", "s", 1, 500)], default));

        Assert.Equal(WebhookMessageState.Failed, (await Webhooks.GetWebhookMessageAsync("msg_1", default))!.State);
        Assert.Equal(["msg_1"], (await Webhooks.ReadWebhookAttemptsAsync("s", 10, null, default)).Select(a => a.MessageId));
        Assert.Null(await Webhooks.GetWebhookMessageAsync("msg_missing", default));
    }

    /// <summary>
    /// A claim with a per-subscription limit takes no more of a subscription than the limit less those in flight, oldest
    /// due first, and fills the rest with other subscriptions' messages; the ones over the limit are left due, untouched.
    /// </summary>
    [Fact]
    public async Task AClaimTakesNoMoreOfASubscriptionThanItsFreeSlots()
    {
        // The stuck subscription's messages are the oldest: without the limit, they would fill the claim.
        await Webhooks.EnqueueWebhookMessagesAsync(
            [.. Enumerable.Range(1, 4).Select(i => Message($"msg_stuck_{i}", "stuck", T0.AddSeconds(i)))], default);
        await Webhooks.EnqueueWebhookMessagesAsync(
            [.. Enumerable.Range(1, 4).Select(i => Message($"msg_ok_{i}", "ok", T0.AddSeconds(10 + i)))], default);
        var now = T0.AddMinutes(1);

        var claimed = await Webhooks.ClaimWebhookMessagesAsync(
            new WebhookClaimRequest
            {
                Now = now,
                LeaseUntil = now.AddMinutes(5),
                MaxMessages = 4,
                MaxPerSubscription = 3,
                InFlight = new Dictionary<string, int> { ["stuck"] = 2, ["idle"] = 3 },
            },
            default);

        Assert.Equal(["msg_ok_1", "msg_ok_2", "msg_ok_3", "msg_stuck_1"], claimed.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.All(claimed, m => Assert.Equal(now.AddMinutes(5), m.NextAttemptAt));
        var left = await Webhooks.GetWebhookMessageAsync("msg_stuck_2", default);
        Assert.Equal((T0.AddSeconds(2), 0L), (left!.NextAttemptAt, left.ClaimToken));

        var rest = await Webhooks.ClaimWebhookMessagesAsync(now, now.AddMinutes(5), 10, default); // no limit
        Assert.Equal(["msg_ok_4", "msg_stuck_2", "msg_stuck_3", "msg_stuck_4"], rest.Select(m => m.Id).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Purging webhooks deletes old delivered or failed messages and old log entries, never a pending message.
    /// </summary>
    [Fact]
    public async Task PurgingWebhooksKeepsPendingMessages()
    {
        await Webhooks.EnqueueWebhookMessagesAsync(
            [Message("msg_old_done", "s", T0), Message("msg_old_pending", "s", T0), Message("msg_new_done", "s", T0.AddDays(2))],
            default);
        await Webhooks.CompleteWebhookMessageAsync(
            Message("msg_old_done", "s", T0) with { State = WebhookMessageState.Delivered },
            [Attempt("msg_old_done", "s", 1, 200)],
            default);
        await Webhooks.CompleteWebhookMessageAsync(
            Message("msg_new_done", "s", T0.AddDays(2)) with { State = WebhookMessageState.Failed },
            [Attempt("msg_new_done", "s", 1, 500, time: T0.AddDays(2))],
            default);

        var deleted = await Webhooks.PurgeWebhooksAsync(T0.AddDays(1), 100, default);

        Assert.Equal(2, deleted); // the old delivered message and its log entry
        Assert.Null(await Webhooks.GetWebhookMessageAsync("msg_old_done", default));
        Assert.NotNull(await Webhooks.GetWebhookMessageAsync("msg_old_pending", default));
        Assert.NotNull(await Webhooks.GetWebhookMessageAsync("msg_new_done", default));
        Assert.Equal(["msg_new_done"], (await Webhooks.ReadWebhookAttemptsAsync("s", 10, null, default)).Select(a => a.MessageId));
    }

    private static WebhookAttempt Attempt(
        string messageId,
        string subscriptionId,
        int attempt,
        int? status,
        string? error = null,
        DateTimeOffset? time = null) => new()
        {
            MessageId = messageId,
            SubscriptionId = subscriptionId,
            EventType = WebhookEventTypes.Test,
            Attempt = attempt,
            Time = time ?? T0,
            Duration = TimeSpan.FromMilliseconds(12.345),
            StatusCode = status,
            Response = status == 200 ? "{\"ok\":true}" : null,
            Error = error,
        };
}
