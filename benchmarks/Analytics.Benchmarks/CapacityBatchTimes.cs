using System.Diagnostics.Metrics;

namespace Analytics.Benchmarks;

/// <summary>
/// Listens to every simulated instance's <c>analytics.pipeline.batch.duration</c> (the library's meter: one measurement
/// per write attempt, one store transaction up to its commit) and keeps the successful ones taken while recording.
/// Through the public meter only, so the harness measures whatever the store does inside a batch.
/// </summary>
internal sealed class CapacityBatchTimes : IDisposable
{
    private const string BatchDuration = "analytics.pipeline.batch.duration";

    private readonly MeterListener _listener = new();
    private readonly List<double> _milliseconds = [];
    private volatile bool _recording;
    private long _failed;

    public CapacityBatchTimes()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AnalyticsMeter.Name && instrument.Name == BatchDuration)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "error.type")
                {
                    Interlocked.Increment(ref _failed);
                    return;
                }
            }

            if (_recording)
            {
                lock (_milliseconds)
                {
                    _milliseconds.Add(seconds * 1_000);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Gets the failed write attempts seen, recording or not: a capacity figure means nothing with retries in it.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public void Start() => _recording = true;

    /// <summary>Stops recording; returns the batches recorded and their median and 99th percentile, in milliseconds.</summary>
    public (int Count, double P50, double P99) Stop()
    {
        _recording = false;
        lock (_milliseconds)
        {
            var sorted = _milliseconds.Order().ToArray();
            return sorted.Length == 0 ? (0, double.NaN, double.NaN) : (sorted.Length, Quantile(sorted, 0.50), Quantile(sorted, 0.99));
        }
    }

    public void Dispose() => _listener.Dispose();

    // Nearest rank: with the ~40 batches of one instance the 99th percentile is the slowest batch, and says so.
    private static double Quantile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
