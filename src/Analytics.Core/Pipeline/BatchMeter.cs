using Analytics.Telemetry;

namespace Analytics.Pipeline;

/// <summary>Records each batch written and each failed attempt on the library's meter.</summary>
internal sealed class BatchMeter(AnalyticsMetrics metrics) : IBatchListener
{
    public void Committed(in CommittedBatch batch) => metrics.BatchWritten(batch.Records, batch.Elapsed);

    public void WriteFailed(int records, TimeSpan elapsed, Exception error) => metrics.BatchFailed(elapsed, error);
}
