using System.Text;
using Analytics.Alerts;
using Analytics.Storage;
using Analytics.Webhooks;

namespace Analytics.Testing.Conformance;

/// <summary>The webhook and alert capabilities every store must have: subscriptions, the outbox, the deliveries log, rules and history.</summary>
public abstract partial class AnalyticsStoreConformanceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private IWebhookStore Webhooks => Store as IWebhookStore ?? throw new InvalidOperationException($"{Store.GetType().Name} does not implement IWebhookStore.");

    private IAlertStore Alerts => Store as IAlertStore ?? throw new InvalidOperationException($"{Store.GetType().Name} does not implement IAlertStore.");

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

    private static WebhookMessage Message(string id, string subscriptionId, DateTimeOffset due, string body = "{\"type\":\"webhook.test\"}") => new()
    {
        Id = id,
        SubscriptionId = subscriptionId,
        EventType = WebhookEventTypes.Test,
        Payload = Encoding.UTF8.GetBytes(body),
        CreatedAt = due,
        NextAttemptAt = due,
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
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
    }

    [Fact]
    public async Task WebhookSubscriptionsRoundTripAndIdsAreUnique()
    {
        var subscription = Subscription("b");
        Assert.True(await Webhooks.AddWebhookSubscriptionAsync(subscription, default));
        Assert.True(await Webhooks.AddWebhookSubscriptionAsync(Subscription("a") with { EventNames = [], Enabled = false, DisabledReason = "gone" }, default));

        Assert.False(await Webhooks.AddWebhookSubscriptionAsync(Subscription("b", "https://other.example.com/"), default));
        AssertSameSubscription(subscription, await Webhooks.GetWebhookSubscriptionAsync("b", default));
        Assert.Equal(["a", "b"], (await Webhooks.ListWebhookSubscriptionsAsync(default)).Select(s => s.Id));
        Assert.Empty((await Webhooks.GetWebhookSubscriptionAsync("a", default))!.EventNames);
        Assert.Null(await Webhooks.GetWebhookSubscriptionAsync("missing", default));
    }

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
            Source = DefinitionSource.Options,
            CreatedAt = T0.AddDays(1),
        };

        Assert.True(await Webhooks.UpdateWebhookSubscriptionAsync(changed, default));
        Assert.False(await Webhooks.UpdateWebhookSubscriptionAsync(Subscription("missing"), default));

        AssertSameSubscription(changed with { CreatedAt = T0 }, await Webhooks.GetWebhookSubscriptionAsync("s", default));
    }

    [Fact]
    public async Task DeletingASubscriptionDeletesItsDeliveriesLog()
    {
        await Webhooks.AddWebhookSubscriptionAsync(Subscription("s"), default);
        await Webhooks.EnqueueWebhookMessagesAsync([Message("msg_1", "s", T0)], default);
        var claimed = await Webhooks.ClaimWebhookMessagesAsync(T0, T0.AddMinutes(5), 10, default);
        await Webhooks.CompleteWebhookMessageAsync(claimed[0] with { Attempts = 1, Deliveries = 1, NextAttemptAt = T0.AddSeconds(5) }, [Attempt("msg_1", "s", 1, 500)], default);

        Assert.True(await Webhooks.DeleteWebhookSubscriptionAsync("s", default));
        Assert.False(await Webhooks.DeleteWebhookSubscriptionAsync("s", default));

        Assert.Empty(await Webhooks.ReadWebhookAttemptsAsync("s", 10, null, default));
        Assert.NotNull(await Webhooks.GetWebhookMessageAsync("msg_1", default)); // left to fail when it comes due
    }

    [Fact]
    public async Task WebhookMessagesAreWrittenInTheBatchTransaction()
    {
        var batch = new AnalyticsBatch();
        batch.AddRequest(TestData.Request(T0));
        batch.AddWebhookMessage(Message("msg_a", "s", T0, "{\"n\":1}"));
        batch.AddWebhookMessage(Message("msg_b", "s", T0, "{\"n\":2}"));

        await Store.WriteBatchAsync(batch, default);

        var claimed = await Webhooks.ClaimWebhookMessagesAsync(T0, T0.AddMinutes(5), 10, default);
        Assert.Equal(["msg_a", "msg_b"], claimed.Select(m => m.Id).Order());
        Assert.Equal("{\"n\":2}", Encoding.UTF8.GetString(claimed.Single(m => m.Id == "msg_b").Payload));
    }

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

    [Fact]
    public async Task CompletingAMessageRecordsItsStateAndAttempts()
    {
        await Webhooks.EnqueueWebhookMessagesAsync([Message("msg_ok", "s", T0), Message("msg_retry", "s", T0), Message("msg_failed", "s", T0)], default);
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

    [Fact]
    public async Task PurgingWebhooksKeepsPendingMessages()
    {
        await Webhooks.EnqueueWebhookMessagesAsync([Message("msg_old_done", "s", T0), Message("msg_old_pending", "s", T0), Message("msg_new_done", "s", T0.AddDays(2))], default);
        await Webhooks.CompleteWebhookMessageAsync(Message("msg_old_done", "s", T0) with { State = WebhookMessageState.Delivered }, [Attempt("msg_old_done", "s", 1, 200)], default);
        await Webhooks.CompleteWebhookMessageAsync(Message("msg_new_done", "s", T0.AddDays(2)) with { State = WebhookMessageState.Failed }, [Attempt("msg_new_done", "s", 1, 500, time: T0.AddDays(2))], default);

        var deleted = await Webhooks.PurgeWebhooksAsync(T0.AddDays(1), 100, default);

        Assert.Equal(2, deleted); // the old delivered message and its log entry
        Assert.Null(await Webhooks.GetWebhookMessageAsync("msg_old_done", default));
        Assert.NotNull(await Webhooks.GetWebhookMessageAsync("msg_old_pending", default));
        Assert.NotNull(await Webhooks.GetWebhookMessageAsync("msg_new_done", default));
        Assert.Equal(["msg_new_done"], (await Webhooks.ReadWebhookAttemptsAsync("s", 10, null, default)).Select(a => a.MessageId));
    }

    private static WebhookAttempt Attempt(string messageId, string subscriptionId, int attempt, int? status, string? error = null, DateTimeOffset? time = null) => new()
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

    // ---- alerts ----------------------------------------------------------------------------------------------------

    private static AlertRule Rule(string id) => new()
    {
        Id = id,
        Name = "Errors on checkout",
        Metric = AlertMetric.ErrorRate,
        Route = "/checkout/{id}",
        Method = "POST",
        Window = TimeSpan.FromMinutes(5),
        Operator = AlertOperator.GreaterThanOrEqual,
        Threshold = 0.125,
        Source = DefinitionSource.Api,
    };

    [Fact]
    public async Task AlertRulesRoundTripAndIdsAreUnique()
    {
        var rule = Rule("r2") with { Firing = true, FiringChangedAt = T0, LastValue = 0.5, Enabled = false, Source = DefinitionSource.Options };
        Assert.True(await Alerts.AddAlertRuleAsync(rule, default));
        Assert.True(await Alerts.AddAlertRuleAsync(Rule("r1") with { Metric = AlertMetric.EventCount, Route = null, Method = null, EventName = "deploy" }, default));
        Assert.False(await Alerts.AddAlertRuleAsync(Rule("r2") with { Name = "other" }, default));

        Assert.Equal(rule, await Alerts.GetAlertRuleAsync("r2", default));
        Assert.Equal(["r1", "r2"], (await Alerts.ListAlertRulesAsync(default)).Select(r => r.Id));
        Assert.Equal("deploy", (await Alerts.GetAlertRuleAsync("r1", default))!.EventName);

        Assert.True(await Alerts.UpdateAlertRuleAsync(rule with { Threshold = 0.3, Firing = false }, default));
        Assert.Equal(rule with { Threshold = 0.3, Firing = false }, await Alerts.GetAlertRuleAsync("r2", default));
        Assert.False(await Alerts.UpdateAlertRuleAsync(Rule("missing"), default));

        Assert.True(await Alerts.DeleteAlertRuleAsync("r2", default));
        Assert.False(await Alerts.DeleteAlertRuleAsync("r2", default));
        Assert.Null(await Alerts.GetAlertRuleAsync("r2", default));
    }

    [Fact]
    public async Task AnAlertTransitionIsRecordedOnceWithItsMessages()
    {
        var rule = Rule("r");
        await Alerts.AddAlertRuleAsync(rule, default);
        var triggered = new AlertTransition { Rule = rule, Triggered = true, Value = 0.5, WindowStart = T0.AddMinutes(-5), WindowEnd = T0, Time = T0.AddSeconds(3) };

        Assert.True(await Alerts.RecordAlertTransitionAsync(triggered, [Message("msg_alert", "s", T0)], default));
        Assert.False(await Alerts.RecordAlertTransitionAsync(triggered, [Message("msg_again", "s", T0)], default)); // already firing: a second evaluator lost the race
        Assert.False(await Alerts.RecordAlertTransitionAsync(triggered with { Rule = Rule("missing") }, [], default));

        var stored = await Alerts.GetAlertRuleAsync("r", default);
        Assert.True(stored!.Firing);
        Assert.Equal(T0.AddSeconds(3), stored.FiringChangedAt);
        Assert.Equal(0.5, stored.LastValue);
        Assert.Equal(["msg_alert"], (await Webhooks.ClaimWebhookMessagesAsync(T0, T0.AddMinutes(5), 10, default)).Select(m => m.Id));
        Assert.Null(await Webhooks.GetWebhookMessageAsync("msg_again", default));

        var resolved = triggered with { Triggered = false, Value = 0.01, Time = T0.AddMinutes(2) };
        Assert.True(await Alerts.RecordAlertTransitionAsync(resolved, [], default));
        Assert.False((await Alerts.GetAlertRuleAsync("r", default))!.Firing);

        var history = await Alerts.ReadAlertHistoryAsync(null, 10, null, default);
        Assert.Equal([false, true], history.Select(h => h.Triggered));
        Assert.Equal(0.5, history[1].Value);
        Assert.Equal((T0.AddMinutes(-5), T0), (history[1].WindowStart, history[1].WindowEnd));
        Assert.Equal((rule.Name, rule.Metric, rule.Route, rule.Method, rule.Window, rule.Operator, rule.Threshold),
            (history[1].Rule.Name, history[1].Rule.Metric, history[1].Rule.Route, history[1].Rule.Method, history[1].Rule.Window, history[1].Rule.Operator, history[1].Rule.Threshold));
    }

    [Fact]
    public async Task AlertHistoryPagesAndFiltersByRule()
    {
        await Alerts.AddAlertRuleAsync(Rule("a"), default);
        await Alerts.AddAlertRuleAsync(Rule("b"), default);
        for (var i = 0; i < 3; i++)
        {
            foreach (var id in new[] { "a", "b" })
            {
                var rule = (await Alerts.GetAlertRuleAsync(id, default))!;
                await Alerts.RecordAlertTransitionAsync(
                    new AlertTransition { Rule = rule, Triggered = !rule.Firing, Value = i, WindowStart = T0, WindowEnd = T0.AddMinutes(5), Time = T0.AddMinutes(i) }, [], default);
            }
        }

        var onlyA = await Alerts.ReadAlertHistoryAsync("a", 10, null, default);
        var page1 = await Alerts.ReadAlertHistoryAsync(null, 4, null, default);
        var page2 = await Alerts.ReadAlertHistoryAsync(null, 4, page1[^1].Id, default);

        Assert.Equal(3, onlyA.Count);
        Assert.All(onlyA, h => Assert.Equal("a", h.Rule.Id));
        Assert.Equal(4, page1.Count);
        Assert.Equal(2, page2.Count);
        Assert.Equal(6, page1.Concat(page2).Select(h => h.Id).Distinct().Count());
        Assert.True(page1[0].Id > page1[^1].Id);
    }
}
