using System.Diagnostics.Metrics;

namespace Analytics.Pipeline;

/// <summary>The pipeline's own instruments, created through <see cref="IMeterFactory"/> so each host gets its own meter.</summary>
internal sealed class AnalyticsMetrics
{
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _written;
    private readonly Histogram<double> _batchDuration;
    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _alerts;

    public AnalyticsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(AnalyticsMeter.Name);
        _accepted = meter.CreateCounter<long>("analytics.records.accepted", "{record}", "Records that entered the queue.");
        _dropped = meter.CreateCounter<long>("analytics.records.dropped", "{record}", "Records lost: queue full, pipeline stopped, or store failing.");
        _written = meter.CreateCounter<long>("analytics.records.written", "{record}", "Records persisted by the store.");
        _batchDuration = meter.CreateHistogram<double>("analytics.batch.duration", "s", "Time to persist one batch.");
        _webhooks = meter.CreateCounter<long>("analytics.webhook.deliveries", "{delivery}", "Webhook deliveries, by event type and outcome (delivered, retrying, failed, gone, abandoned).");
        _alerts = meter.CreateCounter<long>("analytics.alert.transitions", "{transition}", "Alert rules that triggered or resolved.");
        Meter = meter;
    }

    public Meter Meter { get; }

    public void ObserveQueueLength(Func<int> queueLength) =>
        Meter.CreateObservableGauge("analytics.queue.length", queueLength, "{record}", "Records waiting to be written.");

    public void Accepted()
    {
        if (_accepted.Enabled)
        {
            _accepted.Add(1);
        }
    }

    public void Dropped(long count, DropReason reason)
    {
        if (_dropped.Enabled)
        {
            _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason.ToTagValue()));
        }
    }

    public void WebhookDelivered(string eventType, string outcome)
    {
        if (_webhooks.Enabled)
        {
            _webhooks.Add(1, new KeyValuePair<string, object?>("event_type", eventType), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    public void AlertTransition(bool triggered)
    {
        if (_alerts.Enabled)
        {
            _alerts.Add(1, new KeyValuePair<string, object?>("state", triggered ? "triggered" : "resolved"));
        }
    }

    public void BatchWritten(int count, TimeSpan duration)
    {
        if (_written.Enabled)
        {
            _written.Add(count);
        }

        if (_batchDuration.Enabled)
        {
            _batchDuration.Record(duration.TotalSeconds);
        }
    }
}

/// <summary>Why records were lost.</summary>
internal enum DropReason
{
    QueueFull,
    Stopped,
    StoreFailed,
    CaptureFailed,
}

internal static class DropReasonExtensions
{
    public static string ToTagValue(this DropReason reason) => reason switch
    {
        DropReason.QueueFull => "queue_full",
        DropReason.Stopped => "stopped",
        DropReason.CaptureFailed => "capture_failed",
        _ => "store_failed",
    };
}
