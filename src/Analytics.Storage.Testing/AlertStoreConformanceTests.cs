using static Analytics.Storage.Testing.WebhookTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The suite of <see cref="StoreCapabilities.Alerts"/> (<see cref="IAlertStore"/>): rules, the compare-and-set change
/// of state with its history and webhook messages (checked in the outbox when the store also declares
/// <see cref="StoreCapabilities.Webhooks"/>), and the paged history. Derive a public class from it, for the same factory
/// as <see cref="AnalyticsStoreConformanceTests{TFactory}"/>, when the store declares the capability.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
public abstract class AlertStoreConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    private IAlertStore Alerts => Declared(static c => c.Alerts, nameof(StoreCapabilities.Alerts));

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

    /// <summary>
    /// Alert rules read back as written, in id order; a taken id is refused; updates and deletes report whether the
    /// rule existed.
    /// </summary>
    [Fact]
    public async Task AlertRulesRoundTripAndIdsAreUnique()
    {
        var rule = Rule("r2") with
        {
            Firing = true,
            FiringChangedAt = T0,
            LastValue = 0.5,
            Enabled = false,
            Source = DefinitionSource.Options
        };
        Assert.True(await Alerts.AddAlertRuleAsync(rule, default));
        Assert.True(await Alerts.AddAlertRuleAsync(
            Rule("r1") with { Metric = AlertMetric.EventCount, Route = null, Method = null, EventName = "deploy" },
            default));
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

    /// <summary>
    /// A burnRate rule keeps the objective it measures and a healthCheck rule the check it watches, through add, update
    /// and list; a rule with neither reads back with neither.
    /// </summary>
    [Fact]
    public async Task AlertRulesKeepTheirObjectiveAndHealthCheck()
    {
        var burn = Rule("burn") with
        {
            Metric = AlertMetric.BurnRate,
            Route = null,
            Method = null,
            Slo = "checkout-availability",
            Window = TimeSpan.FromHours(1),
            Threshold = 14.4,
            Source = DefinitionSource.Options,
        };
        var health = Rule("health") with { Metric = AlertMetric.HealthCheck, Route = null, Method = null, Check = "database", Threshold = 0 };
        Assert.True(await Alerts.AddAlertRuleAsync(burn, default));
        Assert.True(await Alerts.AddAlertRuleAsync(health, default));
        Assert.True(await Alerts.AddAlertRuleAsync(Rule("plain"), default));

        Assert.Equal(burn, await Alerts.GetAlertRuleAsync("burn", default));
        Assert.Equal(health, await Alerts.GetAlertRuleAsync("health", default));
        var plain = (await Alerts.ListAlertRulesAsync(default)).Single(r => r.Id == "plain");
        Assert.Equal((null, null), (plain.Slo, plain.Check));

        Assert.True(await Alerts.UpdateAlertRuleAsync(burn with { Slo = "checkout-latency" }, default));
        Assert.True(await Alerts.UpdateAlertRuleAsync(health with { Check = null }, default));
        Assert.Equal("checkout-latency", (await Alerts.GetAlertRuleAsync("burn", default))!.Slo);
        Assert.Null((await Alerts.GetAlertRuleAsync("health", default))!.Check);
    }

    /// <summary>
    /// A change of state is recorded once, with its history entry and webhook messages; a second evaluator's same
    /// change is refused.
    /// </summary>
    [Fact]
    public async Task AnAlertTransitionIsRecordedOnceWithItsMessages()
    {
        var rule = Rule("r");
        await Alerts.AddAlertRuleAsync(rule, default);
        var triggered = new AlertTransition
        {
            Rule = rule, Triggered = true, Value = 0.5,
            WindowStart = T0.AddMinutes(-5), WindowEnd = T0, Time = T0.AddSeconds(3)
        };

        Assert.True(await Alerts.RecordAlertTransitionAsync(triggered, [Message("msg_alert", "s", T0)], default));
        // already firing: a second evaluator lost the race
        Assert.False(await Alerts.RecordAlertTransitionAsync(triggered, [Message("msg_again", "s", T0)], default));
        Assert.False(await Alerts.RecordAlertTransitionAsync(triggered with { Rule = Rule("missing") }, [], default));

        var stored = await Alerts.GetAlertRuleAsync("r", default);
        Assert.True(stored!.Firing);
        Assert.Equal(T0.AddSeconds(3), stored.FiringChangedAt);
        Assert.Equal(0.5, stored.LastValue);
        if (Store.Capabilities?.Webhooks is { } webhooks)
        {
            // The messages went to the outbox with the change; the refused change's did not.
            Assert.Equal(["msg_alert"], (await webhooks.ClaimWebhookMessagesAsync(T0, T0.AddMinutes(5), 10, default)).Select(m => m.Id));
            Assert.Null(await webhooks.GetWebhookMessageAsync("msg_again", default));
        }

        var resolved = triggered with { Triggered = false, Value = 0.01, Time = T0.AddMinutes(2) };
        Assert.True(await Alerts.RecordAlertTransitionAsync(resolved, [], default));
        Assert.False((await Alerts.GetAlertRuleAsync("r", default))!.Firing);

        var history = await Alerts.ReadAlertHistoryAsync(null, 10, null, default);
        Assert.Equal([false, true], history.Select(h => h.Triggered));
        Assert.Equal(0.5, history[1].Value);
        Assert.Equal((T0.AddMinutes(-5), T0), (history[1].WindowStart, history[1].WindowEnd));
        Assert.Equal(
            (rule.Name, rule.Metric, rule.Route, rule.Method, rule.Window, rule.Operator, rule.Threshold),
            (history[1].Rule.Name, history[1].Rule.Metric, history[1].Rule.Route, history[1].Rule.Method,
                history[1].Rule.Window, history[1].Rule.Operator, history[1].Rule.Threshold));
    }

    /// <summary>Alert history pages newest first and filters by rule.</summary>
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
                    new AlertTransition
                    {
                        Rule = rule, Triggered = !rule.Firing, Value = i,
                        WindowStart = T0, WindowEnd = T0.AddMinutes(5), Time = T0.AddMinutes(i)
                    },
                    [],
                    default);
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
