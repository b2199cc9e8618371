using System.Diagnostics.Metrics;
using Analytics.Pipeline;
using Analytics.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Pipeline;

public class AnalyticsQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

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

        var warnings = harness.Logs.GetSnapshot().Where(e => e.Id.Name == "RecordsDropped").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Contains("dropped 1 records", warnings[0].Message);
        Assert.Contains("dropped 99 records", warnings[1].Message);
        Assert.Equal(100, queue.Dropped);
        Assert.Equal(1, queue.Accepted);
    }

    [Fact]
    public async Task AcceptedNeverGoesDownWhileAFullQueueRefusesRecords()
    {
        // Accepted is a Prometheus counter: a scrape that saw it higher than the next one would read as a restart.
        await using var harness = new PipelineHarness(o => { o.QueueCapacity = 10; o.BatchSize = 10; });
        var queue = harness.Queue; // the writer is not started: the queue stays full
        for (var i = 0; i < 10; i++)
        {
            Assert.True(queue.TryEnqueue(PipelineHarness.Request(i)));
        }

        using var refusing = new CancellationTokenSource();
        var producer = Task.Run(() =>
        {
            while (!refusing.IsCancellationRequested)
            {
                queue.TryEnqueue(PipelineHarness.Request(0));
            }
        });
        await Wait.UntilAsync(() => queue.Dropped > 1_000, Deadline, "the producer is refused");

        // Sampled while the producer is refused a million more times (or for 10 s, on a machine too busy to run both).
        var seen = new HashSet<long>();
        var until = queue.Dropped + 1_000_000;
        var started = TimeProvider.System.GetTimestamp();
        while (queue.Dropped < until && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
        {
            seen.Add(queue.Accepted);
        }

        refusing.Cancel();
        await producer;
        Assert.Equal([10L], seen);
    }

    [Fact]
    public async Task ABrokenLoggerOrMeterListenerNeverReachesAProducer()
    {
        await using var harness = new PipelineHarness(o => { o.QueueCapacity = 1; o.BatchSize = 1; });
        harness.BrokenLogging.ThrowFrom = LogLevel.Debug;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AnalyticsMeter.Name && ReferenceEquals(instrument.Meter.Scope, harness.MeterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("The listener is broken."));
        listener.Start();

        Assert.True(harness.Tracker.Track("first")); // accepted: the throwing listener runs after the enqueue
        Assert.False(harness.Tracker.Track("second")); // refused: full, and the drop warning's logger throws
        harness.Queue.CountCaptureFailure(new InvalidOperationException("could not build a record")); // logs at debug

        Assert.Equal(1, harness.Pipeline.Accepted);
        Assert.Equal(2, harness.Pipeline.Dropped);
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Id.Name == "RecordsDropped");
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Id.Name == "CaptureFailed");
    }

    [Fact]
    public async Task TheMeterReportsAcceptedDroppedWithTheirReasonAndQueuedRecords()
    {
        await using var harness = new PipelineHarness(o => { o.QueueCapacity = 3; o.BatchSize = 1; });
        using var accepted = new MetricCollector<long>(harness.MeterFactory, AnalyticsMeter.Name, "analytics.pipeline.accepted_records");
        using var dropped = new MetricCollector<long>(harness.MeterFactory, AnalyticsMeter.Name, "analytics.pipeline.dropped_records");
        using var queued = new MetricCollector<int>(harness.MeterFactory, AnalyticsMeter.Name, "analytics.pipeline.queued_records");
        var queue = harness.Queue; // the writer is not started: nothing drains the queue

        for (var i = 0; i < 5; i++)
        {
            queue.TryEnqueue(PipelineHarness.Request(i));
        }

        queued.RecordObservableInstruments();

        Assert.Equal(3, accepted.GetMeasurementSnapshot().EvaluateAsCounter());
        var drops = dropped.GetMeasurementSnapshot();
        Assert.Equal(2, drops.EvaluateAsCounter());
        Assert.All(drops, d => Assert.Equal("queue_full", d.Tags["error.type"]));
        Assert.IsAssignableFrom<ObservableUpDownCounter<int>>(queued.Instrument); // queues of several instances add up
        Assert.Equal(3, queued.LastMeasurement?.Value);
    }

    [Fact]
    public async Task ConcurrentProducersLoseNothingAcceptedAcrossFlushesAndStop()
    {
        // A small queue and batch: producers outrun the writer, so records are refused, flushes interleave with
        // records, and the stop lands while producers are still writing.
        const int Producers = 4;
        const int PerProducer = 20_000;
        await using var harness = new PipelineHarness(o =>
        {
            o.QueueCapacity = 512;
            o.BatchSize = 64;
            o.FlushInterval = TimeSpan.FromHours(1); // only full batches and flushes write
        });
        await harness.StartAsync();
        var queue = harness.Queue;
        var accepted = new List<string>[Producers];
        var stopAfter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var halfDone = 0;

        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            var mine = accepted[p] = [];
            for (var i = 0; i < PerProducer; i++)
            {
                var path = $"/p{p}/{i}";
                if (queue.TryEnqueue(PipelineHarness.Request(i) with { Path = path }))
                {
                    mine.Add(path);
                }

                if (i == PerProducer / 2 && Interlocked.Increment(ref halfDone) == Producers)
                {
                    stopAfter.TrySetResult();
                }

                if (i % 2_000 == 1_999 && !stopAfter.Task.IsCompleted)
                {
                    // Everything this producer had accepted is stored once its flush returns.
                    await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
                    var stored = harness.Store.Requests.Select(r => r.Path).ToHashSet();
                    Assert.All(mine, path => Assert.Contains(path, stored));
                }
            }
        })).ToArray();

        await stopAfter.Task.WaitAsync(Deadline);
        await harness.StopAsync().WaitAsync(Deadline); // while the producers' second halves are running
        await Task.WhenAll(producers).WaitAsync(Deadline);

        var acceptedPaths = accepted.SelectMany(a => a).ToList();
        var storedPaths = harness.Store.Requests.Select(r => r.Path).ToList();
        Assert.Equal(acceptedPaths.Count, queue.Accepted);
        Assert.Equal(Producers * PerProducer, queue.Accepted + queue.Dropped);
        Assert.Equal(queue.Accepted, queue.Written);
        Assert.Equal(acceptedPaths.Order(), storedPaths.Order()); // each accepted record stored once, nothing else
        Assert.Equal(0, queue.QueueLength);
        Assert.False(queue.TryEnqueue(PipelineHarness.Request(0)));
    }

    [Fact]
    public async Task EachProducersRecordsAreWrittenInTheOrderItOfferedThem()
    {
        await using var harness = new PipelineHarness(o => o.BatchSize = 100);
        await harness.StartAsync();

        var producers = Enumerable.Range(0, 3).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                Assert.True(harness.Queue.TryEnqueue(PipelineHarness.Request(i) with { Path = $"/p{p}/{i}" }));
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(Deadline);
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        var stored = harness.Store.Requests.Select(r => r.Path).ToList();
        Assert.Equal(30_000, stored.Count);
        for (var p = 0; p < 3; p++)
        {
            var prefix = $"/p{p}/";
            Assert.Equal(
                Enumerable.Range(0, 10_000).Select(i => prefix + i),
                stored.Where(path => path.StartsWith(prefix, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task AFlushOnAnIdleQueueReturnsAndTheWriterThenWaitsForTheNextRecord()
    {
        await using var harness = new PipelineHarness(o => o.FlushInterval = TimeSpan.FromHours(1));
        await harness.StartAsync();

        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(0, harness.Store.BatchesWritten);

        Assert.True(harness.Queue.TryEnqueue(PipelineHarness.Request(1)));
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        Assert.Single(harness.Store.Requests);
    }
}
