using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Analytics.Telemetry;

/// <summary>
/// The pipeline's own instruments, created through <see cref="IMeterFactory"/> so each host gets its own meter. The
/// webhook and alert counts are also kept here since the process started, for the Prometheus endpoint, which reads them
/// whether or not a listener has enabled the instruments.
/// </summary>
internal sealed class AnalyticsMetrics
{
    // Bucket boundaries, as advice to whatever aggregates the histograms (OpenTelemetry's SDK takes them unless a view
    // overrides them). A batch is one store transaction: a millisecond on a local SQLite file, tens of milliseconds to
    // a remote PostgreSQL, seconds only when the store struggles, and a failed attempt may wait out a 15 s connect timeout.
    internal static readonly IReadOnlyList<double> BatchDurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    // From a trickle (one record per flush interval) up to the default BatchSize of 2 000, and past it to the queue's
    // default capacity, which bounds a batch of requests sampled out of the raw rows.
    internal static readonly IReadOnlyList<int> BatchSizeBuckets = [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 25_000, 65_536];

    // One delivery includes its quick retries, each up to the 10 s attempt timeout, and the waits between them.
    internal static readonly IReadOnlyList<double> WebhookDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    // Keyed by webhook event type and outcome: both come from fixed sets, so the dictionary stays small.
    private readonly ConcurrentDictionary<(string EventType, string Outcome), StrongBox<long>> _deliveries = new();
    private long _triggered;
    private long _resolved;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _written;
    private readonly Histogram<double> _batchDuration;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _webhooks;
    private readonly Histogram<double> _webhookDuration;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _consumerOverflow;

    public AnalyticsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(new MeterOptions(AnalyticsMeter.Name) { Version = AnalyticsActivities.Source.Version });
        _accepted = meter.CreateCounter<long>("analytics.pipeline.accepted_records", "{record}", "Records that entered the queue.");
        _dropped = meter.CreateCounter<long>(
            "analytics.pipeline.dropped_records", "{record}",
            "Records lost: queue full, pipeline stopped, store failing, or capture failed (error.type).");
        _written = meter.CreateCounter<long>("analytics.pipeline.written_records", "{record}", "Records persisted by the store.");
        _batchDuration = meter.CreateHistogram(
            "analytics.pipeline.batch.duration", "s", "Time of one attempt to write a batch in one store transaction; error.type when it failed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BatchDurationBuckets });
        _batchSize = meter.CreateHistogram(
            "analytics.pipeline.batch.size", "{record}", "Records in each batch written.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchSizeBuckets });
        _webhooks = meter.CreateCounter<long>(
            "analytics.webhook.deliveries", "{delivery}",
            "Webhook deliveries, by event type and outcome (delivered, retrying, failed, gone, abandoned, superseded).");
        _webhookDuration = meter.CreateHistogram(
            "analytics.webhook.delivery.duration", "s", "Time of one webhook delivery to its receiver, quick retries included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WebhookDurationBuckets });
        _alerts = meter.CreateCounter<long>("analytics.alert.transitions", "{transition}", "Alert rules that triggered or resolved.");
        _consumerOverflow = meter.CreateCounter<long>(
            "analytics.consumers.overflow", "{request}",
            "Requests counted as consumer (other) in a bucket that already named MaxConsumersPerBucket consumers, once per " +
            "granularity (analytics.rollup.granularity) that did.");
        Meter = meter;
    }

    public Meter Meter { get; }

    /// <summary>Reports the queue's length. An up-down counter, not a gauge: the queues of several instances add up.</summary>
    public void ObserveQueueLength(Func<int> queueLength) =>
        Meter.CreateObservableUpDownCounter("analytics.pipeline.queued_records", queueLength, "{record}", "Records waiting to be written.");

    /// <summary>
    /// Reports the bytes of serialized live-stream messages queued for connections, a message counted once in each
    /// queue that holds it. An up-down counter too: the instances' buffers add up.
    /// </summary>
    public void ObserveStreamBufferedBytes(Func<long> bytes) =>
        Meter.CreateObservableUpDownCounter(
            "analytics.stream.buffered_bytes", bytes, "By", "Bytes of live-stream messages queued for connections and not yet sent.");

    public void Accepted() => Add(_accepted, 1);

    public void Dropped(long count, DropReason reason) =>
        Add(_dropped, count, new KeyValuePair<string, object?>(TelemetryAttributes.ErrorType, reason.ToTagValue()));

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

    /// <summary>Counts a delivery's outcome; <paramref name="duration"/> when a request was sent, and what answered or failed.</summary>
    public void WebhookDelivered(string eventType, string outcome, TimeSpan? duration = null, int? statusCode = null, string? errorType = null)
    {
        Interlocked.Increment(ref _deliveries.GetOrAdd((eventType, outcome), static _ => new StrongBox<long>()).Value);
        if (!_webhooks.Enabled && !_webhookDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { TelemetryAttributes.WebhookEventType, eventType },
            { TelemetryAttributes.WebhookOutcome, outcome },
        };
        if (statusCode is { } status)
        {
            tags.Add(TelemetryAttributes.HttpResponseStatusCode, status);
        }

        if (errorType is not null)
        {
            tags.Add(TelemetryAttributes.ErrorType, errorType);
        }

        Add(_webhooks, 1, tags);
        if (duration is { } elapsed)
        {
            Record(_webhookDuration, elapsed.TotalSeconds, tags);
        }
    }

    public void AlertTransition(bool triggered)
    {
        Interlocked.Increment(ref triggered ? ref _triggered : ref _resolved);
        Add(_alerts, 1, new KeyValuePair<string, object?>(TelemetryAttributes.AlertState, triggered ? "triggered" : "resolved"));
    }

    /// <summary>Counts a request folded into <c>(other)</c>, once for each granularity that did.</summary>
    public void ConsumerOverflowed(bool minute, bool hour, bool day)
    {
        if (!_consumerOverflow.Enabled)
        {
            return;
        }

        CountOverflow(minute, Granularity.Minute);
        CountOverflow(hour, Granularity.Hour);
        CountOverflow(day, Granularity.Day);
    }

    private void CountOverflow(bool overflowed, Granularity granularity)
    {
        if (overflowed)
        {
            Add(_consumerOverflow, 1, new KeyValuePair<string, object?>(TelemetryAttributes.RollupGranularity, granularity.ToWireName()));
        }
    }

    /// <summary>Records a committed batch: its records written, its size and how long the attempt took.</summary>
    public void BatchWritten(int count, TimeSpan duration)
    {
        Add(_written, count);
        Record(_batchSize, count);
        Record(_batchDuration, duration.TotalSeconds);
    }

    /// <summary>Records how long a failed attempt to write a batch took, with the error's type.</summary>
    public void BatchFailed(TimeSpan duration, Exception error) =>
        Record(_batchDuration, duration.TotalSeconds, new KeyValuePair<string, object?>(TelemetryAttributes.ErrorType, error.GetType().FullName));

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

    private static void Add(Counter<long> counter, long delta, in TagList tags)
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
            // As above.
        }
    }

    /// <summary>
    /// Records in a histogram that something listens to, guarded as
    /// <see cref="Add(Counter{long}, long, ReadOnlySpan{KeyValuePair{string, object?}})"/> is.
    /// </summary>
    private static void Record<T>(Histogram<T> histogram, T value, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        if (!histogram.Enabled)
        {
            return;
        }

        try
        {
            histogram.Record(value, tags);
        }
        catch (Exception)
        {
            // As in Add: the batch is committed, the delivery made, whatever a listener does.
        }
    }

    private static void Record<T>(Histogram<T> histogram, T value, in TagList tags)
        where T : struct
    {
        if (!histogram.Enabled)
        {
            return;
        }

        try
        {
            histogram.Record(value, tags);
        }
        catch (Exception)
        {
            // As above.
        }
    }
}
