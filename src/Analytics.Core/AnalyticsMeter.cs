namespace Analytics;

/// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that reports the pipeline's own counters.</summary>
public static class AnalyticsMeter
{
    /// <summary>
    /// The meter name, <c>Analytics</c>. Instruments: <c>analytics.records.accepted</c>, <c>analytics.records.dropped</c>
    /// (tag <c>reason</c>), <c>analytics.records.written</c>, <c>analytics.queue.length</c>, <c>analytics.batch.duration</c>.
    /// </summary>
    public const string Name = "Analytics";
}
