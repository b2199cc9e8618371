namespace Analytics;

/// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that reports the library's own work.</summary>
/// <remarks>
/// Listen to it with OpenTelemetry's <c>.WithMetrics(m =&gt; m.AddMeter(AnalyticsMeter.Name))</c>, or with
/// <c>dotnet-counters monitor --counters Analytics.RequestAnalytics</c>. Instruments:
/// <list type="bullet">
/// <item><c>analytics.pipeline.accepted_records</c>, <c>analytics.pipeline.written_records</c> and
/// <c>analytics.pipeline.dropped_records</c> (attribute <c>error.type</c>: <c>queue_full</c>, <c>stopped</c>,
/// <c>store_failed</c>, <c>capture_failed</c>), counters in <c>{record}</c>;</item>
/// <item><c>analytics.pipeline.queued_records</c>, an up-down counter of the records waiting to be written;</item>
/// <item><c>analytics.pipeline.batch.duration</c> (s, one measurement per write attempt, <c>error.type</c> when it failed)
/// and <c>analytics.pipeline.batch.size</c> (<c>{record}</c>, per batch written), histograms;</item>
/// <item><c>analytics.webhook.deliveries</c> and the histogram <c>analytics.webhook.delivery.duration</c> (s), with
/// <c>analytics.webhook.event_type</c>, <c>analytics.webhook.outcome</c>, <c>http.response.status_code</c> and
/// <c>error.type</c>;</item>
/// <item><c>analytics.alert.transitions</c> (attribute <c>analytics.alert.state</c>: <c>triggered</c>, <c>resolved</c>);</item>
/// <item><c>analytics.consumers.overflow</c>, a counter in <c>{request}</c> of the requests counted as consumer <c>(other)</c>
/// because their bucket already named <see cref="RequestAnalyticsOptions.MaxConsumersPerBucket"/> consumers, once per
/// granularity that did (attribute <c>analytics.rollup.granularity</c>: <c>minute</c>, <c>hour</c>, <c>day</c>).</item>
/// </list>
/// </remarks>
public static class AnalyticsMeter
{
    /// <summary>The meter name, <c>Analytics.RequestAnalytics</c>; the same as <see cref="AnalyticsTelemetry.ActivitySourceName"/>.</summary>
    public const string Name = "Analytics.RequestAnalytics";
}
