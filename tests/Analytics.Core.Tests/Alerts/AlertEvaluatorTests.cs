using System.Text.Json;
using Analytics.Alerts;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Alerts;

/// <summary>
/// The alert evaluator over the core services and a <see cref="FakeStore"/>, without a web host: minute rollups are
/// written straight to the store, the clock is moved by hand, and each evaluation is asked for (the loop is not run).
/// </summary>
public class AlertEvaluatorTests
{
    // Five seconds into a minute: each evaluation measures the whole minutes before it.
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset Minute0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static PipelineHarness Harness(FakeTimeProvider clock, FakeStore store, AlertRuleOptions rule, Action<IServiceCollection>? configureServices = null) => new(
        o =>
        {
            o.AlertInterval = TimeSpan.FromHours(1); // the loop is not started; named so that nothing here waits on it
            o.Alerts.Add(rule);

            // A declared subscription to both alert events: the evaluator queues its messages, nothing sends them here.
            o.Webhooks.AllowPrivateNetworks = true;
            var pager = new WebhookSubscriptionOptions { Id = "pager", Url = "http://127.0.0.1:9/alerts" };
            pager.EventTypes.Add(WebhookEventTypes.AlertTriggered);
            pager.EventTypes.Add(WebhookEventTypes.AlertResolved);
            pager.Secrets.Add(WebhookSecret.Generate());
            o.Webhooks.Subscriptions.Add(pager);
        },
        timeProvider: clock,
        store: store,
        configureServices: configureServices);

    private static AlertRuleOptions ErrorRateOver(double threshold, int minutes, string id = "errors") =>
        new() { Id = id, Metric = AlertMetric.ErrorRate, Window = TimeSpan.FromMinutes(minutes), Operator = AlertOperator.GreaterThan, Threshold = threshold };

    /// <summary>Writes one batch of requests in <paramref name="minute"/>, as the writer would have: raw rows and their rollups.</summary>
    private static Task WriteAsync(FakeStore store, DateTimeOffset minute, int ok, int failed)
    {
        var batch = new AnalyticsBatch();
        for (var i = 0; i < ok + failed; i++)
        {
            batch.AddRequest(new RequestRecord
            {
                Timestamp = minute.AddSeconds(i % 60),
                Method = "GET",
                Route = "/items/{id}",
                Path = $"/items/{i}",
                StatusCode = i < ok ? 200 : 500,
                Duration = TimeSpan.FromMilliseconds(3),
            });
        }

        return store.WriteBatchAsync(batch, default);
    }

    /// <summary>Claims the outbox messages queued since the last claim: each is leased for good, so a message is seen once.</summary>
    private static async Task<IReadOnlyList<WebhookMessage>> NewOutboxMessagesAsync(IWebhookStore store, DateTimeOffset now) =>
        await store.ClaimWebhookMessagesAsync(now, DateTimeOffset.MaxValue, 100, default);

    [Fact]
    public async Task ADeclaredRuleFiresOnceWhileOverAndResolvesOnceWhenBack()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);
        await using var harness = Harness(clock, store, ErrorRateOver(0.5, minutes: 5));
        await harness.StartAsync(); // the writer: each evaluation first flushes what the pipeline holds
        var evaluator = harness.Services.GetRequiredService<AlertEvaluator>();
        IAlertStore alerts = store;
        IWebhookStore outbox = store;

        await WriteAsync(store, Minute0, ok: 10, failed: 0); // 10:00, healthy
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:01:05
        var healthy = await evaluator.EvaluateAsync(default);
        Assert.Empty(healthy);
        Assert.False((await alerts.GetAlertRuleAsync("errors", default))!.Firing); // declared into the store, not firing

        await WriteAsync(store, Minute0.AddMinutes(1), ok: 0, failed: 30); // 10:01: 30 of 40 in the window fail
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:02:05
        var started = await evaluator.EvaluateAsync(default);
        var fired = Assert.Single(started);
        Assert.True(fired.Triggered);
        Assert.Equal(0.75, fired.Value);
        Assert.Equal((Minute0.AddMinutes(-3), Minute0.AddMinutes(2)), (fired.WindowStart, fired.WindowEnd)); // [09:57, 10:02)
        Assert.True((await alerts.GetAlertRuleAsync("errors", default))!.Firing);
        var triggeredMessage = Assert.Single(await NewOutboxMessagesAsync(outbox, clock.GetUtcNow()));
        Assert.Equal(("pager", WebhookEventTypes.AlertTriggered), (triggeredMessage.SubscriptionId, triggeredMessage.EventType));
        var data = JsonDocument.Parse(triggeredMessage.Payload).RootElement.GetProperty("data");
        Assert.Equal(("errors", 0.75), (data.GetProperty("ruleId").GetString(), data.GetProperty("value").GetDouble()));

        // Still over: the same window again, then the next one with more failures. Nothing more is recorded or queued.
        var sameWindow = await evaluator.EvaluateAsync(default);
        await WriteAsync(store, Minute0.AddMinutes(2), ok: 0, failed: 10); // 10:02: 40 of 50 fail
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:03:05
        var stillOver = await evaluator.EvaluateAsync(default);
        Assert.Empty(sameWindow);
        Assert.Empty(stillOver);
        Assert.Single(await alerts.ReadAlertHistoryAsync("errors", 10, null, default));
        Assert.True((await alerts.GetAlertRuleAsync("errors", default))!.Firing);
        Assert.Empty(await NewOutboxMessagesAsync(outbox, clock.GetUtcNow()));

        await WriteAsync(store, Minute0.AddMinutes(3), ok: 100, failed: 0); // 10:03: 40 of 150 fail
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:04:05
        var recovered = await evaluator.EvaluateAsync(default);
        var resolved = Assert.Single(recovered);
        Assert.False(resolved.Triggered);
        Assert.Equal(40.0 / 150, resolved.Value, 9);
        var resolvedMessage = Assert.Single(await NewOutboxMessagesAsync(outbox, clock.GetUtcNow()));
        Assert.Equal(("pager", WebhookEventTypes.AlertResolved), (resolvedMessage.SubscriptionId, resolvedMessage.EventType));

        await WriteAsync(store, Minute0.AddMinutes(4), ok: 10, failed: 0); // 10:04, healthy
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:05:05: still under, nothing to record
        Assert.Empty(await evaluator.EvaluateAsync(default));
        Assert.Empty(await NewOutboxMessagesAsync(outbox, clock.GetUtcNow()));

        var history = await alerts.ReadAlertHistoryAsync("errors", 10, null, default);
        Assert.Equal([false, true], history.Select(h => h.Triggered)); // newest first: resolved, triggered
        Assert.Equal([resolved.Value, fired.Value], history.Select(h => h.Value));
        var rule = (await alerts.GetAlertRuleAsync("errors", default))!;
        Assert.False(rule.Firing);
        Assert.Equal(Start.AddMinutes(4), rule.FiringChangedAt); // 10:04:05
        Assert.Equal(resolved.Value, rule.LastValue);
    }

    [Fact]
    public async Task TwoEvaluatorsOverOneStoreRecordTheSameChangeOnce()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);

        // Both evaluators' alert stores are the one FakeStore, through a gate that, once armed, holds each recording
        // until both evaluators have measured the change and come to record it: the store's compare-and-set alone decides.
        var gate = new RecordingGate(store, expected: 2);
        void Gated(IServiceCollection services) => services.AddSingleton(new StoreCapabilities
        {
            Errors = store, Alerts = gate, Webhooks = store, HealthMetrics = store, RequestCounts = store,
        });
        await using var first = Harness(clock, store, ErrorRateOver(0.5, minutes: 1), Gated);
        await using var second = Harness(clock, store, ErrorRateOver(0.5, minutes: 1), Gated);
        await first.StartAsync();
        await second.StartAsync();
        var a = first.Services.GetRequiredService<AlertEvaluator>();
        var b = second.Services.GetRequiredService<AlertEvaluator>();
        Assert.Empty(await a.EvaluateAsync(default)); // each copies the declared rule and the subscription: no data yet
        Assert.Empty(await b.EvaluateAsync(default));

        await WriteAsync(store, Minute0, ok: 1, failed: 9);
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:01:05
        gate.Arm();
        var changes = await Task.WhenAll(a.EvaluateAsync(default), b.EvaluateAsync(default));

        Assert.Equal(2, gate.Arrived); // both measured the change and tried to record it
        Assert.Equal([true], changes.SelectMany(c => c).Select(t => t.Triggered)); // one of them did
        Assert.Single(await ((IAlertStore)store).ReadAlertHistoryAsync(null, 10, null, default));
        Assert.Single(await ((IWebhookStore)store).ClaimWebhookMessagesAsync(clock.GetUtcNow(), DateTimeOffset.MaxValue, 100, default));
        Assert.True((await ((IAlertStore)store).GetAlertRuleAsync("errors", default))!.Firing);
    }

    [Fact]
    public async Task WithoutTheAlertsCapabilityTheEvaluatorDoesNothingAndThrowsNothing()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(); // implements IAlertStore, but does not declare it
        await using var harness = Harness(clock, store, ErrorRateOver(0.1, minutes: 1));
        await harness.StartAsync();
        var evaluator = harness.Services.GetRequiredService<AlertEvaluator>();
        await WriteAsync(store, Minute0, ok: 0, failed: 10); // every request fails
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Null(evaluator.Store);
        Assert.Empty(await evaluator.EvaluateAsync(default));
        await evaluator.StartAsync(default); // the loop ends at once instead of waiting on the clock
        await Wait.UntilAsync(() => evaluator.ExecuteTask!.IsCompleted, TimeSpan.FromSeconds(10), "the evaluator's loop ends by itself");
        Assert.True(evaluator.ExecuteTask!.IsCompletedSuccessfully);
        await evaluator.StopAsync(default);

        IAlertStore alerts = store;
        Assert.Empty(await alerts.ListAlertRulesAsync(default)); // the declared rule was never copied into it
        Assert.Empty(await alerts.ReadAlertHistoryAsync(null, 10, null, default));
        Assert.DoesNotContain(harness.Logs.GetSnapshot(), e => e.Id.Name == "AlertEvaluationFailed");
    }

    [Fact]
    public async Task AWindowWithoutRequestsHasNoErrorsSoAFiringErrorRateRuleResolves()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);
        await using var harness = Harness(clock, store, ErrorRateOver(0.5, minutes: 1));
        await harness.StartAsync();
        var evaluator = harness.Services.GetRequiredService<AlertEvaluator>();
        await WriteAsync(store, Minute0, ok: 0, failed: 5);
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:01:05: [10:00, 10:01) all failed
        Assert.True(Assert.Single(await evaluator.EvaluateAsync(default)).Triggered);

        clock.Advance(TimeSpan.FromMinutes(1)); // 10:02:05: [10:01, 10:02) has no request at all
        var quiet = await evaluator.EvaluateAsync(default);

        var resolved = Assert.Single(quiet);
        Assert.False(resolved.Triggered);
        Assert.Equal(0, resolved.Value);
        Assert.False((await ((IAlertStore)store).GetAlertRuleAsync("errors", default))!.Firing);
    }

    [Fact]
    public async Task AChangeRatioIsNotMeasuredWhenTheWindowBeforeHadNoRequests()
    {
        var clock = new FakeTimeProvider(Start);
        var store = new FakeStore(allCapabilities: true);
        var spike = new AlertRuleOptions
        {
            Id = "spike", Metric = AlertMetric.ChangeRatio, Window = TimeSpan.FromMinutes(1), Operator = AlertOperator.GreaterThan, Threshold = 2,
        };
        await using var harness = Harness(clock, store, spike);
        await harness.StartAsync();
        var evaluator = harness.Services.GetRequiredService<AlertEvaluator>();

        var nothingAtAll = await evaluator.EvaluateAsync(default); // [10:00) and the minute before: both empty
        await WriteAsync(store, Minute0, ok: 10, failed: 0);
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:01:05: 10 requests against none before
        var fromNothing = await evaluator.EvaluateAsync(default);
        await WriteAsync(store, Minute0.AddMinutes(1), ok: 30, failed: 0);
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:02:05: 30 against 10, the rule does measure
        var tripled = await evaluator.EvaluateAsync(default);

        Assert.Empty(nothingAtAll);
        Assert.Empty(fromNothing);
        var fired = Assert.Single(tripled);
        Assert.Equal((true, 3.0), (fired.Triggered, fired.Value));
        Assert.Single(await ((IAlertStore)store).ReadAlertHistoryAsync("spike", 10, null, default));
    }

    /// <summary>
    /// The alert store of a <see cref="FakeStore"/>. Once armed, its <see cref="IAlertStore.RecordAlertTransitionAsync"/>
    /// waits until <c>expected</c> callers have come, then lets them all go on to the store; before, it passes through.
    /// </summary>
    private sealed class RecordingGate(FakeStore store, int expected) : IAlertStore
    {
        private readonly IAlertStore _inner = store;
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _armed;
        private int _arrived;

        public int Arrived => Volatile.Read(ref _arrived);

        public void Arm() => _armed = true;

        public async Task<bool> RecordAlertTransitionAsync(AlertTransition transition, IReadOnlyList<WebhookMessage> messages, CancellationToken cancellationToken)
        {
            if (_armed)
            {
                if (Interlocked.Increment(ref _arrived) == expected)
                {
                    _all.TrySetResult();
                }

                try
                {
                    await _all.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken); // a deadline, not a pause
                }
                catch (TimeoutException)
                {
                    throw new TimeoutException($"Only {Arrived} of {expected} evaluators came to record the change within 10 s.");
                }
            }

            return await _inner.RecordAlertTransitionAsync(transition, messages, cancellationToken);
        }

        public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken) => _inner.ListAlertRulesAsync(cancellationToken);

        public Task<AlertRule?> GetAlertRuleAsync(string id, CancellationToken cancellationToken) => _inner.GetAlertRuleAsync(id, cancellationToken);

        public Task<bool> AddAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken) => _inner.AddAlertRuleAsync(rule, cancellationToken);

        public Task<bool> UpdateAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken) => _inner.UpdateAlertRuleAsync(rule, cancellationToken);

        public Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken) => _inner.DeleteAlertRuleAsync(id, cancellationToken);

        public Task<IReadOnlyList<AlertTransition>> ReadAlertHistoryAsync(string? ruleId, int limit, long? before, CancellationToken cancellationToken) =>
            _inner.ReadAlertHistoryAsync(ruleId, limit, before, cancellationToken);
    }
}
