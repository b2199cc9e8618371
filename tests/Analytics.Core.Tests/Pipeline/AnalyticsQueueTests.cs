using System.Diagnostics.Metrics;
using Analytics.Pipeline;
using Analytics.Testing;
using Microsoft.Extensions.Logging;

namespace Analytics.Tests.Pipeline;

public class AnalyticsQueueTests
{
    [Fact]
    public async Task DropWarningsAreRateLimitedAndCarryTheCountSinceTheLastOne()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var harness = new PipelineHarness(o => { o.QueueCapacity = 1; o.BatchSize = 1; }, timeProvider: clock);
        var queue = harness.Queue; // the writer is not started: nothing drains the queue

        for (var i = 0; i < 100; i++)
        {
            queue.TryEnqueue(PipelineHarness.Request(i));
        }

        clock.Advance(AnalyticsQueue.DropLogInterval + TimeSpan.FromSeconds(1));
        queue.TryEnqueue(PipelineHarness.Request(100));

        var warnings = harness.Logs.Entries.Where(e => e.EventId.Name == "RecordsDropped").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Contains("dropped 1 records", warnings[0].Message);
        Assert.Contains("dropped 99 records", warnings[1].Message);
        Assert.Equal(100, queue.Dropped);
        Assert.Equal(1, queue.Accepted);
    }

    [Fact]
    public async Task TheMeterReportsAcceptedDroppedAndQueueLength()
    {
        await using var harness = new PipelineHarness(o => { o.QueueCapacity = 3; o.BatchSize = 1; });
        long accepted = 0, dropped = 0, queueLength = -1;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Other tests run in parallel with meters of the same name; only this harness's factory counts.
            if (instrument.Meter.Name == AnalyticsMeter.Name && ReferenceEquals(instrument.Meter.Scope, harness.MeterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "analytics.records.accepted")
            {
                accepted += value;
            }
            else if (instrument.Name == "analytics.records.dropped")
            {
                dropped += value;
            }
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "analytics.queue.length")
            {
                queueLength = value;
            }
        });
        listener.Start();
        var queue = harness.Queue;

        for (var i = 0; i < 5; i++)
        {
            queue.TryEnqueue(PipelineHarness.Request(i));
        }

        listener.RecordObservableInstruments();

        Assert.Equal(3, accepted);
        Assert.Equal(2, dropped);
        Assert.Equal(3, queueLength);
    }
}
