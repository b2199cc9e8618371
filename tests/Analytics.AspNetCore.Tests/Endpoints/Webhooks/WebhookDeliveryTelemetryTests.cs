using System.Diagnostics;
using System.Diagnostics.Metrics;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

/// <summary>What a delivery shows to OpenTelemetry: a span per delivery with the HTTP client's spans inside, and its metrics.</summary>
public class WebhookDeliveryTelemetryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task EachDeliveryIsASpanWithItsOutcomeAndTheHttpClientsSpansNestUnderIt()
    {
        using var spans = new ActivityCollector(AnalyticsTelemetry.ActivitySourceName, "System.Net.Http");
        await using var receiver = await WebhookReceiver.StartAsync(0, new ScriptedResponse(500), new ScriptedResponse(500), new ScriptedResponse(500));
        await using var host = await WebhookTestApp.StartAsync(receiver.Url(), [WebhookEventTypes.Test]);

        var messageId = await WebhookTestApp.SendTestAsync(host);
        List<Activity> Deliveries() => [.. spans.Stopped.Where(a => a.OperationName == "analytics.webhook.deliver" && Equals(a.GetTagItem("analytics.webhook.message.id"), messageId))];
        await Wait.UntilAsync(() => Deliveries().Count == 2, Deadline, "the failed delivery and its retry have ended");

        var (retried, delivered) = (Deliveries()[0], Deliveries()[1]);
        foreach (var span in new[] { retried, delivered })
        {
            Assert.Equal(AnalyticsTelemetry.ActivitySourceName, span.Source.Name);
            Assert.Equal("ops", span.GetTagItem("analytics.webhook.subscription.id"));
            Assert.Equal("webhook.test", span.GetTagItem("analytics.webhook.event_type"));
            Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
        }

        Assert.Equal("retrying", retried.GetTagItem("analytics.webhook.outcome"));
        Assert.Equal(500, retried.GetTagItem("http.response.status_code"));
        Assert.Equal(3, retried.GetTagItem("analytics.webhook.attempts")); // the quick retries of one delivery
        Assert.Equal(ActivityStatusCode.Error, retried.Status);
        Assert.Equal("500", retried.GetTagItem("error.type"));

        Assert.Equal("delivered", delivered.GetTagItem("analytics.webhook.outcome"));
        Assert.Equal(200, delivered.GetTagItem("http.response.status_code"));
        Assert.Equal(1, delivered.GetTagItem("analytics.webhook.attempts"));
        Assert.Equal(ActivityStatusCode.Unset, delivered.Status);
        Assert.Null(delivered.GetTagItem("error.type"));

        // Every HTTP attempt is the client's own span, a child of the delivery it belongs to.
        int Children(Activity parent) => spans.Stopped.Count(a => a.Source.Name == "System.Net.Http" && a.ParentSpanId == parent.SpanId && a.TraceId == parent.TraceId);
        Assert.Equal(3, Children(retried));
        Assert.Equal(1, Children(delivered));
    }

    [Fact]
    public async Task DeliveriesAreCountedAndTimedWithTheirOutcomeStatusAndErrorType()
    {
        await using var receiver = await WebhookReceiver.StartAsync(0, new ScriptedResponse(500), new ScriptedResponse(500), new ScriptedResponse(500));
        await using var host = await WebhookTestApp.StartAsync(receiver.Url(), [WebhookEventTypes.Test]);
        var meters = host.App.Services.GetRequiredService<IMeterFactory>();
        using var deliveries = new MetricCollector<long>(meters, AnalyticsMeter.Name, "analytics.webhook.deliveries");
        using var durations = new MetricCollector<double>(meters, AnalyticsMeter.Name, "analytics.webhook.delivery.duration");

        await WebhookTestApp.SendTestAsync(host);
        await Wait.UntilAsync(() => deliveries.GetMeasurementSnapshot().Count == 2, Deadline, "the failed delivery and its retry are counted");

        var counted = deliveries.GetMeasurementSnapshot();
        Assert.All(counted, m => Assert.Equal("webhook.test", m.Tags["analytics.webhook.event_type"]));
        Assert.Equal(["retrying", "delivered"], counted.Select(m => m.Tags["analytics.webhook.outcome"]));
        Assert.Equal([500, 200], counted.Select(m => m.Tags["http.response.status_code"]));
        Assert.Equal("500", counted[0].Tags["error.type"]);
        Assert.False(counted[1].Tags.ContainsKey("error.type"));

        var timed = durations.GetMeasurementSnapshot();
        Assert.Equal(["retrying", "delivered"], timed.Select(m => m.Tags["analytics.webhook.outcome"]));
        Assert.All(timed, m => Assert.True(m.Value > 0));
    }
}
