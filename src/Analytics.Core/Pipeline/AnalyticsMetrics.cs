using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Analytics.Pipeline;

/// <summary>
/// The pipeline's own instruments, created through <see cref="IMeterFactory"/> so each host gets its own meter. The
/// webhook and alert counts are also kept here since the process started, for the Prometheus endpoint, which reads them
/// whether or not a listener has enabled the instruments.
/// </summary>
internal sealed class AnalyticsMetrics
{
    // Keyed by webhook event type and outcome: both come from fixed sets, so the dictionary stays small.
    private readonly ConcurrentDictionary<(string EventType, string Outcome), StrongBox<long>> _deliveries = new();
    private long _triggered;
    private long _resolved;
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

    public void Accepted() => Add(_accepted, 1);

    public void Dropped(long count, DropReason reason) => Add(_dropped, count, new KeyValuePair<string, object?>("reason", reason.ToTagValue()));

    /// <summary>Gets the webhook deliveries since the process started, by event type and outcome, in that order.</summary>
    public IReadOnlyList<(string EventType, string Outcome, long Count)> WebhookDeliveries =>
    [
        .. _deliveries
            .Select(d => (d.Key.EventType, d.Key.Outcome, Interlocked.Read(ref d.Value.Value)))
            .OrderBy(d => d.EventType, StringComparer.Ordinal)
            .ThenBy(d => d.Outcome, StringComparer.Ordinal),
    ];

    /// <summary>Gets how many alert rules triggered since the process started.</summary>
    public long AlertsTriggered => Interlocked.Read(ref _triggered);

    /// <summary>Gets how many alert rules resolved since the process started.</summary>
    public long AlertsResolved => Interlocked.Read(ref _resolved);

    public void WebhookDelivered(string eventType, string outcome)
    {
        Interlocked.Increment(ref _deliveries.GetOrAdd((eventType, outcome), static _ => new StrongBox<long>()).Value);
        Add(_webhooks, 1, new KeyValuePair<string, object?>("event_type", eventType), new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void AlertTransition(bool triggered)
    {
        Interlocked.Increment(ref triggered ? ref _triggered : ref _resolved);
        Add(_alerts, 1, new KeyValuePair<string, object?>("state", triggered ? "triggered" : "resolved"));
    }

    public void BatchWritten(int count, TimeSpan duration)
    {
        Add(_written, count);
        if (_batchDuration.Enabled)
        {
            try
            {
                _batchDuration.Record(duration.TotalSeconds);
            }
            catch (Exception)
            {
                // As in Add: the batch is committed whatever a listener does.
            }
        }
    }

    /// <summary>
    /// Adds to a counter that something listens to. Listeners run inside <c>Add</c>, on the caller's thread: one that
    /// throws must reach neither a request (the queue counts from the request path) nor the writer, which would take the
    /// exception for a failed write.
    /// </summary>
    private static void Add(Counter<long> counter, long delta, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!counter.Enabled)
        {
            return;
        }

        try
        {
            counter.Add(delta, tags);
        }
        catch (Exception)
        {
            // Measurements are best effort; the pipeline's own counts (Accepted, Dropped, Written) do not depend on them.
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
