using Analytics.Alerts;
using Analytics.ServiceLevels;
using Analytics.Storage;
using Analytics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Alerts;

/// <summary>
/// The burn-rate rules an objective declares, evaluated minute by minute through a synthetic outage: objective 0.99, and
/// 20 % of requests failing for 10 minutes burns the budget at 20×, over the 14.4× of the fast rule and the 6× of the slow one.
/// </summary>
public class BurnRateAlertTests
{
    private static readonly DateTimeOffset Minute0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static PipelineHarness Harness(FakeTimeProvider clock, FakeStore store) => new(
        o =>
        {
            o.AlertInterval = TimeSpan.FromHours(1); // the loop is not started: each evaluation is asked for
            o.Slos.Add(new SloOptions { Name = "x", Route = "/pay", Objective = 0.99 });
        },
        timeProvider: clock,
        store: store);

    private static Task WriteAsync(FakeStore store, DateTimeOffset minute, int ok, int failed)
    {
        var batch = new AnalyticsBatch();
        for (var i = 0; i < ok + failed; i++)
        {
            batch.AddRequest(new RequestRecord
            {
                Timestamp = minute.AddSeconds(i % 60),
                Method = "POST",
                Route = "/pay",
                Path = "/pay",
                StatusCode = i < failed ? 503 : 200,
                Duration = TimeSpan.FromMilliseconds(5),
            });
        }

        // Another route's failures are not the objective's.
        batch.AddRequest(new RequestRecord
        {
            Timestamp = minute, Method = "GET", Route = "/other", Path = "/other", StatusCode = 500, Duration = TimeSpan.FromMilliseconds(5),
        });
        return store.WriteBatchAsync(batch, default);
    }

    [Fact]
    public async Task AnOutageBurningAt20TimesFiresEachRuleOnceAndResolvesItOnceAfterItEnds()
    {
        var clock = new FakeTimeProvider(Minute0.AddSeconds(5));
        var store = new FakeStore(allCapabilities: true);
        await using var harness = Harness(clock, store);
        await harness.StartAsync();
        var evaluator = harness.Services.GetRequiredService<AlertEvaluator>();
        IAlertStore alerts = store;

        var changes = new List<(int Minute, AlertTransition Change)>();
        for (var minute = 0; minute < 45; minute++)
        {
            bool outage = minute < 10;
            await WriteAsync(store, Minute0.AddMinutes(minute), ok: outage ? 80 : 100, failed: outage ? 20 : 0);
            clock.Advance(TimeSpan.FromMinutes(1)); // measures the minutes up to and including this one
            changes.AddRange((await evaluator.EvaluateAsync(default)).Select(c => (minute, c)));
        }

        var fast = changes.Where(c => c.Change.Rule.Id == "slo-x-fast").ToList();
        var slow = changes.Where(c => c.Change.Rule.Id == "slo-x-slow").ToList();

        // Both fire at the first minute of the outage (20× over every window) and resolve once, when their short window
        // burns under the threshold: the fast one at 10:12, its 5 minutes [10:07, 10:12) holding 60 of 500 bad (12×, while
        // the hour still burns at 16.7×); the slow one at 10:32, its 30 minutes [10:02, 10:32) holding 160 of 3 000 (5.3×).
        Assert.Equal([(0, true), (11, false)], fast.Select(c => (c.Minute, c.Change.Triggered)));
        Assert.Equal([(0, true), (31, false)], slow.Select(c => (c.Minute, c.Change.Triggered)));
        Assert.Equal(20, fast[0].Change.Value, 9);
        Assert.Equal(12, fast[1].Change.Value, 9);
        Assert.Equal(160 / 3000.0 / 0.01, slow[1].Change.Value, 9);
        Assert.Equal(4, changes.Count);

        var fastRule = (await alerts.GetAlertRuleAsync("slo-x-fast", default))!;
        Assert.Equal((AlertMetric.BurnRate, "x", TimeSpan.FromHours(1), 14.4, DefinitionSource.Options, false),
            (fastRule.Metric, fastRule.Slo, fastRule.Window, fastRule.Threshold, fastRule.Source, fastRule.Firing));
        Assert.Equal(2, (await alerts.ReadAlertHistoryAsync("slo-x-slow", 10, null, default)).Count);
    }

    [Fact]
    public async Task ARuleNamingAnObjectiveNoLongerDeclaredIsNotEvaluated()
    {
        var clock = new FakeTimeProvider(Minute0.AddSeconds(5));
        var store = new FakeStore(allCapabilities: true);
        await using var harness = Harness(clock, store);
        await harness.StartAsync();
        var evaluator = harness.Services.GetRequiredService<AlertEvaluator>();
        await evaluator.EnsureDeclaredAsync(default);
        IAlertStore alerts = store;
        await alerts.AddAlertRuleAsync(
            new AlertRule
            {
                Id = "gone", Name = "gone", Metric = AlertMetric.BurnRate, Slo = "removed", Window = TimeSpan.FromMinutes(12),
                Operator = AlertOperator.GreaterThanOrEqual, Threshold = 1, Source = DefinitionSource.Api,
            },
            default);

        await WriteAsync(store, Minute0, ok: 0, failed: 100);
        clock.Advance(TimeSpan.FromMinutes(1));
        var changes = await evaluator.EvaluateAsync(default);

        Assert.DoesNotContain(changes, c => c.Rule.Id == "gone");
        Assert.Contains(changes, c => c.Rule.Id == "slo-x-fast"); // the declared objective's rules are
    }
}
