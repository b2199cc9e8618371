using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Alerts;
using Analytics.AspNetCore.Tests.Endpoints.Webhooks;
using Analytics.Live;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.AspNetCore.Tests.Endpoints.Alerts;

/// <summary>Alert rules evaluated on the real rollups of a real SQLite file, the clock moved by hand.</summary>
public class AlertEvaluationTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 5, TimeSpan.Zero);

    private static Task<AnalyticsTestHost> StartAsync(FakeTimeProvider clock, TimeSpan alertInterval, string? receiverUrl = null) => EndpointTestApp.StartAsync(
        o =>
        {
            o.AlertInterval = alertInterval;
            if (receiverUrl is not null)
            {
                o.Webhooks.AllowPrivateNetworks = true;
                var subscription = new WebhookSubscriptionOptions { Id = "pager", Url = receiverUrl };
                subscription.EventTypes.Add(WebhookEventTypes.AlertTriggered);
                subscription.EventTypes.Add(WebhookEventTypes.AlertResolved);
                subscription.Secrets.Add(WebhookTestApp.Secret);
                o.Webhooks.Subscriptions.Add(subscription);
            }
        },
        configureBuilder: b => b.Services.AddSingleton<TimeProvider>(clock));

    private static async Task CreateRuleAsync(AnalyticsTestHost host, string json)
    {
        var response = await host.Client.PostAsync("/analytics/api/alerts", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task SendAsync(AnalyticsTestHost host, int ok, int failed)
    {
        for (var i = 0; i < ok; i++)
        {
            await host.Client.GetAsync("/items/1");
        }

        for (var i = 0; i < failed; i++)
        {
            await host.Client.GetAsync("/status/500");
        }
    }

    /// <summary>
    /// Waits until the webhook of <paramref name="type"/> reached the receiver and its outbox message is marked delivered.
    /// The test moves the clock by minutes; a jump while an attempt is still in flight would fire that attempt's
    /// timeout (10 s on the same clock) and send the message again after a quick-retry delay the clock may never reach.
    /// </summary>
    private static async Task DeliveredAsync(AnalyticsTestHost host, WebhookReceiver receiver, string type)
    {
        var store = host.App.Services.GetRequiredService<WebhookSubscriptions>().Store!;
        await Wait.UntilAsync(
            async () => receiver.Accepted.FirstOrDefault(r => r.Type == type) is { } received
                && (await store.GetWebhookMessageAsync(received.Id, default))?.State == WebhookMessageState.Delivered,
            TimeSpan.FromSeconds(10),
            $"the {type} webhook is delivered");
    }

    [Fact]
    public async Task AnErrorRateAlertFiresOnceWhenErrorsStartAndResolvesOnceWhenTheyStop()
    {
        var clock = new FakeTimeProvider(Start);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync(clock, TimeSpan.FromHours(1), receiver.Url()); // the loop stays out of the way: the test evaluates
        var evaluator = host.App.Services.GetRequiredService<AlertEvaluator>();
        using var live = host.App.Services.GetRequiredService<LiveFeed>().TrySubscribe(null)!;
        await CreateRuleAsync(host, """{"name":"Errors above 10%","metric":"errorRate","window":"1m","operator":">","threshold":0.1}""");

        await SendAsync(host, ok: 10, failed: 0); // minute 10:00, healthy
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:01:05
        var healthy = await evaluator.EvaluateAsync(default);

        await SendAsync(host, ok: 5, failed: 5); // minute 10:01, half failing
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:02:05
        var started = await evaluator.EvaluateAsync(default);
        await DeliveredAsync(host, receiver, "alert.triggered"); // before the clock jumps past the attempt's 10 s timeout
        clock.Advance(TimeSpan.FromSeconds(30));
        var stillFailing = await evaluator.EvaluateAsync(default); // same window, still over: no second alert

        await SendAsync(host, ok: 4, failed: 1); // minute 10:02, still 20 %
        clock.Advance(TimeSpan.FromSeconds(30)); // 10:03:05
        var stillOver = await evaluator.EvaluateAsync(default);

        await SendAsync(host, ok: 10, failed: 0); // minute 10:03, recovered
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:04:05
        var recovered = await evaluator.EvaluateAsync(default);
        await DeliveredAsync(host, receiver, "alert.resolved");
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:05:05: no traffic at all
        var quiet = await evaluator.EvaluateAsync(default);

        Assert.Empty(healthy);
        var fired = Assert.Single(started);
        Assert.True(fired.Triggered);
        Assert.Equal(0.5, fired.Value);
        Assert.Equal((Start.AddSeconds(55), Start.AddSeconds(115)), (fired.WindowStart, fired.WindowEnd)); // [10:01, 10:02)
        Assert.Empty(stillFailing);
        Assert.Empty(stillOver);
        var resolved = Assert.Single(recovered);
        Assert.False(resolved.Triggered);
        Assert.Equal(0, resolved.Value);
        Assert.Empty(quiet);

        var history = await host.Client.GetFromJsonAsync<JsonElement>("/analytics/api/alerts/history");
        Assert.Equal(["resolved", "triggered"], history.GetProperty("items").EnumerateArray().Select(h => h.GetProperty("state").GetString()));
        var rule = (await host.Client.GetFromJsonAsync<JsonElement[]>("/analytics/api/alerts"))!.Single();
        Assert.Equal("ok", rule.GetProperty("state").GetString());

        // The same two changes went to the webhook subscription and to the live stream.
        Assert.Equal(["alert.resolved", "alert.triggered"], receiver.Accepted.Select(r => r.Type).Order());
        var triggeredData = JsonDocument.Parse(receiver.Accepted.Single(r => r.Type == "alert.triggered").Body).RootElement.GetProperty("data");
        Assert.Equal("errorRate", triggeredData.GetProperty("metric").GetString());
        Assert.Equal(0.5, triggeredData.GetProperty("value").GetDouble());
        Assert.Equal("1m", triggeredData.GetProperty("window").GetString());
        var alerts = new List<LiveMessage>();
        await Wait.UntilAsync(
            () =>
            {
                while (live.TryRead(out var message))
                {
                    if (message.Kind == LiveMessageKind.Alert)
                    {
                        alerts.Add(message);
                    }
                }

                return alerts.Count == 2;
            },
            TimeSpan.FromSeconds(10),
            "both alerts reach the live stream");
        Assert.Equal(["triggered", "resolved"], alerts.Select(m => JsonDocument.Parse(m.Json).RootElement.GetProperty("state").GetString()));

        // And to the Prometheus endpoint's counters.
        var metrics = await host.Client.GetStringAsync("/analytics/metrics");
        Assert.Contains("analytics_alert_transitions_total{state=\"triggered\"} 1\n", metrics);
        Assert.Contains("analytics_alert_transitions_total{state=\"resolved\"} 1\n", metrics);
        Assert.Contains("analytics_webhook_deliveries_total{event_type=\"alert.triggered\",outcome=\"delivered\"} 1\n", metrics);
        Assert.Contains("analytics_webhook_deliveries_total{event_type=\"alert.resolved\",outcome=\"delivered\"} 1\n", metrics);
    }

    [Fact]
    public async Task AChangeRatioAlertFiresOnASpikeAgainstTheWindowBefore()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await StartAsync(clock, TimeSpan.FromHours(1));
        var evaluator = host.App.Services.GetRequiredService<AlertEvaluator>();
        await CreateRuleAsync(host, """{"name":"Traffic spike","metric":"changeRatio","window":"1m","operator":">=","threshold":3}""");

        var nothingBefore = await evaluator.EvaluateAsync(default); // no window before: not measured
        await SendAsync(host, ok: 2, failed: 0);
        clock.Advance(TimeSpan.FromMinutes(1));
        await SendAsync(host, ok: 6, failed: 0);
        clock.Advance(TimeSpan.FromMinutes(1));
        var spike = await evaluator.EvaluateAsync(default);

        Assert.Empty(nothingBefore);
        Assert.Equal(3, Assert.Single(spike).Value);
    }

    [Fact]
    public async Task AnEvaluationIsASpanWithTheRulesEvaluatedAndTheChangesRecorded()
    {
        using var spans = new ActivityCollector(AnalyticsTelemetry.ActivitySourceName);
        var clock = new FakeTimeProvider(Start);
        await using var host = await StartAsync(clock, TimeSpan.FromHours(1));
        var evaluator = host.App.Services.GetRequiredService<AlertEvaluator>();
        await CreateRuleAsync(host, """{"name":"Errors above 10%","metric":"errorRate","window":"1m","operator":">","threshold":0.1}""");
        await CreateRuleAsync(host, """{"name":"Heavy traffic","metric":"requestCount","window":"1m","operator":">","threshold":1000}""");
        await SendAsync(host, ok: 5, failed: 5);
        clock.Advance(TimeSpan.FromMinutes(1));

        using var test = new Activity("test").Start(); // the parent of what this test evaluates, apart from other tests' spans
        var first = await evaluator.EvaluateAsync(default);
        var second = await evaluator.EvaluateAsync(default);
        test.Stop();

        Assert.Single(first);
        Assert.Empty(second);
        var passes = spans.Stopped.Where(a => a.TraceId == test.TraceId && a.ParentSpanId == test.SpanId).ToList();
        Assert.Equal(2, passes.Count);
        Assert.All(passes, p =>
        {
            Assert.Equal("analytics.alert.evaluate", p.OperationName);
            Assert.Equal(2, p.GetTagItem("analytics.alert.rules"));
            Assert.Equal(ActivityStatusCode.Unset, p.Status);
        });
        Assert.Equal([1, 0], passes.Select(p => p.GetTagItem("analytics.alert.transitions")));
    }

    [Fact]
    public async Task RulesAreEvaluatedEveryAlertInterval()
    {
        var clock = new TimerWatchingFakeTimeProvider(Start);
        await using var host = await StartAsync(clock, TimeSpan.FromSeconds(30));
        await CreateRuleAsync(host, """{"name":"Any traffic","metric":"requestCount","window":"1m","operator":">","threshold":0}""");
        await SendAsync(host, ok: 3, failed: 0);

        // The loop arms its wait after declaring the rules, on its own thread: moved before that, the clock would arm it
        // from the moved time, and it would never come due.
        await Wait.UntilAsync(() => clock.HasTimerDueAt(Start.AddSeconds(30)), TimeSpan.FromSeconds(10), "the loop waits for its interval");
        clock.Advance(TimeSpan.FromMinutes(1)); // past the minute, and past the interval: the loop evaluates on its own

        await Wait.UntilAsync(
            async () => (await host.Client.GetFromJsonAsync<JsonElement>("/analytics/api/alerts/history")).GetProperty("items").GetArrayLength() == 1,
            TimeSpan.FromSeconds(10),
            "the background evaluation records the alert");
        var rule = (await host.Client.GetFromJsonAsync<JsonElement[]>("/analytics/api/alerts"))!.Single();
        Assert.Equal("firing", rule.GetProperty("state").GetString());
        Assert.Equal(3, rule.GetProperty("lastValue").GetDouble());
    }
}
