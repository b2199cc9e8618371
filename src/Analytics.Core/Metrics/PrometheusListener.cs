using Analytics.Pipeline;

namespace Analytics.Metrics;

/// <summary>Adds each committed batch to the Prometheus counters.</summary>
internal sealed class PrometheusListener(PrometheusMetrics metrics) : IBatchListener
{
    public void Committed(in CommittedBatch batch) => metrics.Add(batch.Batch);
}
