using System.Diagnostics.Metrics;
using Analytics.Telemetry;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Analytics.Tests.Telemetry;

/// <summary>The library's own meter, as OpenTelemetry and dotnet-counters read it.</summary>
public class AnalyticsMetricsTests
{
    [Fact]
    public async Task TheMeterAndTheActivitySourceHaveTheContractsName()
    {
        await using var harness = new PipelineHarness();
        var published = new List<Instrument>();
        using var listener = ListenTo(harness, published);

        harness.Tracker.Track("anything"); // resolves the queue, and with it the meter

        Assert.Equal("Analytics.RequestAnalytics", AnalyticsMeter.Name);
        Assert.Equal("Analytics.RequestAnalytics", AnalyticsTelemetry.ActivitySourceName);
        Assert.Equal(AnalyticsTelemetry.ActivitySourceName, AnalyticsActivities.Source.Name);
        Assert.NotEmpty(published);
        Assert.All(published, i => Assert.Equal(AnalyticsMeter.Name, i.Meter.Name));
    }

    [Fact]
    public async Task EveryHistogramAdvisesBucketBoundariesInItsUnit()
    {
        await using var harness = new PipelineHarness();
        var published = new List<Instrument>();
        using var listener = ListenTo(harness, published);
        harness.Tracker.Track("anything");

        var histograms = published.Where(i => i.GetType().IsGenericType && i.GetType().GetGenericTypeDefinition() == typeof(Histogram<>)).ToList();

        Assert.Equal(
            ["analytics.pipeline.batch.duration", "analytics.pipeline.batch.size", "analytics.webhook.delivery.duration"],
            histograms.Select(h => h.Name).Order(StringComparer.Ordinal));
        var seconds = histograms.OfType<Histogram<double>>().ToList();
        Assert.Equal(2, seconds.Count);
        foreach (var histogram in seconds)
        {
            Assert.Equal("s", histogram.Unit);
            var buckets = Assert.IsAssignableFrom<IReadOnlyList<double>>(histogram.Advice?.HistogramBucketBoundaries);
            Assert.True(buckets.Zip(buckets.Skip(1)).All(p => p.First < p.Second), $"{histogram.Name}: boundaries ascend");
            Assert.InRange(buckets[0], 0.0005, 0.01); // milliseconds, in seconds
            Assert.InRange(buckets[^1], 10, 300); // past the store's and the receiver's timeouts
        }

        var size = Assert.Single(histograms.OfType<Histogram<int>>());
        Assert.Equal("{record}", size.Unit);
        var sizes = Assert.IsAssignableFrom<IReadOnlyList<int>>(size.Advice?.HistogramBucketBoundaries);
        Assert.Contains(RequestAnalyticsDefaults.BatchSize, sizes); // a full batch lands on a bound, not inside a wide bucket
        Assert.Equal(RequestAnalyticsDefaults.QueueCapacity, sizes[^1]);
    }

    [Fact]
    public async Task EveryWriteAttemptIsTimedAndAFailedOneCarriesItsErrorType()
    {
        await using var harness = new PipelineHarness(o => o.BatchSize = 3);
        using var duration = new MetricCollector<double>(harness.MeterFactory, AnalyticsMeter.Name, "analytics.pipeline.batch.duration");
        using var size = new MetricCollector<int>(harness.MeterFactory, AnalyticsMeter.Name, "analytics.pipeline.batch.size");
        using var written = new MetricCollector<long>(harness.MeterFactory, AnalyticsMeter.Name, "analytics.pipeline.written_records");
        var attempts = 0;
        harness.Store.OnWrite = () => harness.Store.Fail = Interlocked.Increment(ref attempts) == 1; // the first attempt fails
        await harness.StartAsync();

        harness.Tracker.Track("a");
        harness.Tracker.Track("b");
        harness.Tracker.Track("c");
        await harness.Pipeline.FlushAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        var timed = duration.GetMeasurementSnapshot();
        Assert.Equal(2, timed.Count);
        Assert.Equal(typeof(IOException).FullName, timed[0].Tags["error.type"]);
        Assert.False(timed[1].Tags.ContainsKey("error.type"));
        Assert.All(timed, m => Assert.True(m.Value >= 0));
        Assert.Equal([3], size.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal(3, written.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    private static MeterListener ListenTo(PipelineHarness harness, List<Instrument> published)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                // Other tests' hosts publish the same instruments; only this harness's factory counts.
                if (ReferenceEquals(instrument.Meter.Scope, harness.MeterFactory))
                {
                    lock (published)
                    {
                        published.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        return listener;
    }
}
