using Analytics.Pipeline;
using Analytics.Storage;
using Analytics.Testing;
using Microsoft.Extensions.Logging;

namespace Analytics.Tests.Pipeline;

public class AnalyticsWriterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task EverythingAcceptedBeforeAFlushIsWrittenWhenItReturns()
    {
        await using var harness = new PipelineHarness(o => o.FlushInterval = TimeSpan.FromHours(1));
        await harness.StartAsync();

        for (var i = 0; i < 5_000; i++)
        {
            Assert.True(harness.Queue.TryEnqueue(PipelineHarness.Request(i)));
        }

        harness.Tracker.Track("deployment");
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal(5_000, harness.Store.Requests.Count);
        Assert.Single(harness.Store.Events);
        Assert.Equal(5_001, harness.Pipeline.Accepted);
        Assert.Equal(5_001, harness.Pipeline.Written);
        Assert.Equal(0, harness.Pipeline.Dropped);
        Assert.Equal(Enumerable.Range(0, 5_000).Select(i => $"/items/{i}"), harness.Store.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task NoBatchIsLargerThanBatchSize()
    {
        await using var harness = new PipelineHarness(o => o.BatchSize = 100);
        await harness.StartAsync();

        for (var i = 0; i < 1_000; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal(1_000, harness.Store.Requests.Count);
        Assert.InRange(harness.Store.LargestBatch, 1, 100);
        Assert.True(harness.Store.BatchesWritten >= 10);
    }

    [Fact]
    public async Task TheRecordThatFillsTheBatchWakesTheWriterBeforeTheInterval()
    {
        await using var harness = new PipelineHarness(o =>
        {
            o.BatchSize = 100;
            o.FlushInterval = TimeSpan.FromHours(1);
        });
        await harness.StartAsync();

        // The writer takes the first record and waits for the other 99, which it is not woken for one by one.
        harness.Queue.TryEnqueue(PipelineHarness.Request(0));
        await Wait.UntilAsync(() => harness.Queue.QueueLength == 0, Deadline, "the writer holds the first record");
        for (var i = 1; i < 100; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        await Wait.UntilAsync(() => harness.Store.Requests.Count == 100, Deadline, "the 100th record wakes the writer");
        Assert.Equal(1, harness.Store.BatchesWritten);
    }

    [Fact]
    public async Task RecordsFromManyThreadsAtOnceStillWakeTheWriterForEveryBatch()
    {
        // A lost wake-up would leave the writer waiting for the hour-long interval: every round must be written now.
        await using var harness = new PipelineHarness(o =>
        {
            o.BatchSize = 40;
            o.FlushInterval = TimeSpan.FromHours(1);
        });
        await harness.StartAsync();
        using var together = new Barrier(4);
        for (var round = 0; round < 100; round++)
        {
            var first = round * 40;
            await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                together.SignalAndWait(Deadline);
                for (var i = 0; i < 10; i++)
                {
                    harness.Queue.TryEnqueue(PipelineHarness.Request(first + (t * 10) + i));
                }
            })));

            await Wait.UntilAsync(() => harness.Store.Requests.Count == first + 40, Deadline, $"round {round}'s 40 records wake the writer");
        }

        Assert.Equal(100, harness.Store.BatchesWritten);
    }

    [Fact]
    public async Task AtTheIntervalsEndTheBatchHoldsEveryRecordThatArrivedDuringIt()
    {
        var time = new TimerWatchingFakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var harness = new PipelineHarness(o => o.FlushInterval = TimeSpan.FromSeconds(1), timeProvider: time);
        await harness.StartAsync();

        harness.Queue.TryEnqueue(PipelineHarness.Request(0));
        await Wait.UntilAsync(() => time.PendingTimers == 1, Deadline, "the writer holds the first record and waits out the interval");
        for (var i = 1; i <= 5; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        time.Advance(TimeSpan.FromSeconds(1));

        // One batch of six: the five that arrived during the wait are due too, not one interval later.
        await Wait.UntilAsync(() => harness.Store.Requests.Count == 6, Deadline, "the interval's batch holds all six records");
        Assert.Equal(1, harness.Store.BatchesWritten);
    }

    [Fact]
    public async Task AFlushWakesAWriterWaitingForAFullBatch()
    {
        await using var harness = new PipelineHarness(o => o.FlushInterval = TimeSpan.FromHours(1));
        await harness.StartAsync();

        harness.Queue.TryEnqueue(PipelineHarness.Request(0));
        await Wait.UntilAsync(() => harness.Queue.QueueLength == 0, Deadline, "the writer holds the record");
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Single(harness.Store.Requests);
    }

    [Fact]
    public async Task ARecordIsWrittenWithinTheFlushIntervalWithoutAFlush()
    {
        await using var harness = new PipelineHarness(o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
        await harness.StartAsync();

        harness.Queue.TryEnqueue(PipelineHarness.Request(1));

        await Wait.UntilAsync(() => harness.Store.Requests.Count == 1, Deadline, "the interval elapses and the batch is written");
    }

    [Fact]
    public async Task AFullQueueDropsAndCountsInsteadOfBlocking()
    {
        await using var harness = new PipelineHarness(o =>
        {
            o.QueueCapacity = 10;
            o.BatchSize = 5;
        });
        harness.Store.Stall();
        await harness.StartAsync();

        // If TryWrite ever waited for room, this loop would hang on the stalled writer and miss the deadline.
        var refused = await Task.Run(() => Enumerable.Range(0, 1_000).Count(i => !harness.Tracker.Track($"job-{i}"))).WaitAsync(Deadline);

        var pipeline = harness.Pipeline;
        Assert.Equal(1_000, pipeline.Accepted + pipeline.Dropped);
        Assert.Equal(refused, pipeline.Dropped);
        // The queue's 10, plus at most two batches the writer took: the one the stalled store writes and the next one,
        // folded meanwhile (AnalyticsWriter.Overlap.cs). Up to 15 held only while the writer had one batch.
        Assert.InRange(pipeline.Accepted, 10, 20);

        harness.Store.Release();
        await pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(pipeline.Accepted, harness.Store.Events.Count);
        Assert.Equal(pipeline.Accepted, pipeline.Written);
    }

    [Fact]
    public async Task StoppingDrainsEverythingStillQueued()
    {
        await using var harness = new PipelineHarness(o =>
        {
            o.FlushInterval = TimeSpan.FromHours(1);
            o.BatchSize = 2_000;
        });
        await harness.StartAsync();
        for (var i = 0; i < 5_500; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        await harness.StopAsync().WaitAsync(Deadline);

        Assert.Equal(5_500, harness.Store.Requests.Count);
        Assert.Equal(harness.Pipeline.Accepted, harness.Pipeline.Written);
        Assert.Equal(0, harness.Pipeline.Dropped);
    }

    [Fact]
    public async Task AStopWhileProducersKeepTheQueueFullClosesAndDrainsIt()
    {
        // Producers that refill a batch's worth during every write: the writer never has to wait, which is where it
        // used to notice a stop.
        await using var harness = new PipelineHarness(o => { o.BatchSize = 10; o.QueueCapacity = 1_000; o.FlushInterval = TimeSpan.FromHours(1); });
        var produced = 0;
        harness.Store.OnWrite = () =>
        {
            for (var i = 0; i < 10; i++)
            {
                harness.Queue.TryEnqueue(PipelineHarness.Request(Interlocked.Increment(ref produced)));
            }
        };
        await harness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(Interlocked.Increment(ref produced)));
        }

        try
        {
            await Wait.UntilAsync(() => harness.Store.BatchesWritten > 50, Deadline, "the producers keep the writer busy");

            await harness.StopAsync().WaitAsync(Deadline);

            Assert.True(harness.Queue.Drained.IsCompleted);
            Assert.False(harness.Queue.TryEnqueue(PipelineHarness.Request(-1))); // closed
        }
        finally
        {
            harness.Store.OnWrite = null; // so that a writer that missed the stop can still be disposed
        }

        Assert.Equal(harness.Pipeline.Accepted, harness.Pipeline.Written);
        Assert.Equal(harness.Pipeline.Written, harness.Store.Requests.Count);
    }

    [Fact]
    public async Task ALoggerThatThrowsNeitherStopsTheWriterNorWritesABatchTwice()
    {
        await using var harness = new PipelineHarness();
        harness.BrokenLogging.ThrowFrom = LogLevel.Information; // WriteFailed (a warning) and StoreRecovered (information) both throw
        harness.Store.Fail = true;
        await harness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        await Wait.UntilAsync(() => harness.Store.WriteAttempts >= 2, Deadline, "the writer retries the failing store");
        harness.Store.Fail = false;
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal(10, harness.Store.Requests.Count);
        Assert.Equal(1, harness.Store.BatchesWritten);
        Assert.Equal(10, harness.Pipeline.Written);
        Assert.Equal(0, harness.Pipeline.Dropped);
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Id.Name == "StoreRecovered");

        // And it keeps writing.
        harness.Queue.TryEnqueue(PipelineHarness.Request(10));
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(11, harness.Store.Requests.Count);
    }

    [Fact]
    public async Task EveryAttemptAtABatchCarriesTheSameIdAndTheNextBatchANewOne()
    {
        // The id is what lets a database store recognise a retry of a batch whose commit it did make (a lost acknowledgement).
        await using var harness = new PipelineHarness(o => o.FlushInterval = TimeSpan.FromHours(1));
        harness.Store.Fail = true;
        await harness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        var flushed = harness.Pipeline.FlushAsync().AsTask();
        await Wait.UntilAsync(() => harness.Store.WriteAttempts >= 3, Deadline, "the writer retries the failing store");
        harness.Store.Fail = false;
        await flushed.WaitAsync(Deadline);
        harness.Queue.TryEnqueue(PipelineHarness.Request(10));
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        var ids = harness.Store.AttemptedBatchIds.ToList();
        Assert.True(ids.Count >= 4, $"{ids.Count} attempts");
        Assert.Single(ids[..^1].Distinct()); // the failed attempts and the one that wrote the first batch
        Assert.NotEqual(ids[0], ids[^1]);
        Assert.NotEqual(Guid.Empty, ids[0]);
    }

    [Fact]
    public async Task AStopRightAfterTheStartStillDrainsWhatWasQueued()
    {
        // The host may stop the writer before its loop ever ran (BackgroundService starts it on the thread pool).
        for (var round = 0; round < 20; round++)
        {
            await using var harness = new PipelineHarness(o => o.FlushInterval = TimeSpan.FromHours(1));
            for (var i = 0; i < 5; i++)
            {
                harness.Queue.TryEnqueue(PipelineHarness.Request(i));
            }

            await harness.StartAsync();
            await harness.StopAsync().WaitAsync(Deadline);

            Assert.Equal(5, harness.Store.Requests.Count);
            Assert.True(harness.Queue.Drained.IsCompleted);
        }
    }

    [Fact]
    public async Task AFlushAskedForAsTheWriterStopsCompletesWithEverythingWritten()
    {
        for (var round = 0; round < 20; round++)
        {
            await using var harness = new PipelineHarness(o => o.FlushInterval = TimeSpan.FromHours(1));
            await harness.StartAsync();
            for (var i = 0; i < 5; i++)
            {
                harness.Queue.TryEnqueue(PipelineHarness.Request(i));
            }

            var flush = harness.Pipeline.FlushAsync().AsTask();
            var stop = harness.StopAsync();
            await Task.WhenAll(flush, stop).WaitAsync(Deadline);

            Assert.Equal(5, harness.Store.Requests.Count);
            Assert.Equal(5, harness.Pipeline.Written);
        }
    }

    [Fact]
    public async Task RecordsAfterStopAreRefusedAndCountedAsDropped()
    {
        await using var harness = new PipelineHarness();
        await harness.StartAsync();
        await harness.StopAsync();

        Assert.False(harness.Tracker.Track("too-late"));
        Assert.Equal(1, harness.Pipeline.Dropped);

        // A flush after stop must not hang: everything accepted was drained.
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
    }

    [Fact]
    public async Task AFailingStoreIsRetriedAndWritingResumesWhenItRecovers()
    {
        await using var harness = new PipelineHarness();
        harness.Store.Fail = true;
        await harness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        await Wait.UntilAsync(() => harness.Store.WriteAttempts >= 3, Deadline, "the writer retries the failing store");
        Assert.True(harness.Writer.ConsecutiveFailures >= 3);
        harness.Store.Fail = false;
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal(10, harness.Store.Requests.Count);
        Assert.Equal(0, harness.Pipeline.Dropped);
        Assert.Equal(0, harness.Writer.ConsecutiveFailures);
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Level == LogLevel.Warning && e.Id.Name == "WriteFailed");
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Id.Name == "StoreRecovered");
    }

    [Fact]
    public async Task ABatchIsDroppedAndCountedAfterTheLastAttempt()
    {
        await using var harness = new PipelineHarness(backoff: new WriteBackoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), maxAttempts: 3));
        harness.Store.Fail = true;
        await harness.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal(3, harness.Store.WriteAttempts);
        Assert.Equal(10, harness.Pipeline.Dropped);
        Assert.Equal(0, harness.Pipeline.Written);
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Level == LogLevel.Warning && e.Id.Name == "BatchAbandoned");
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Level == LogLevel.Warning && e.Id.Name == "RecordsDropped");
    }

    [Fact]
    public async Task StoppingWhileTheStoreFailsEndsPromptlyAndCountsWhatWasLost()
    {
        await using var harness = new PipelineHarness(backoff: new WriteBackoff(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), 100));
        harness.Store.Fail = true;
        await harness.StartAsync();
        harness.Queue.TryEnqueue(PipelineHarness.Request(1));
        await Wait.UntilAsync(() => harness.Store.WriteAttempts >= 1, Deadline, "the first attempt fails");

        // The writer is now in a five-minute backoff; stopping must cut it short with one last attempt.
        await harness.StopAsync().WaitAsync(Deadline);

        Assert.Equal(2, harness.Store.WriteAttempts);
        Assert.Equal(1, harness.Pipeline.Dropped);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public async Task RawSampleRateDecidesWhichRequestsAreKeptRawButAllAreCountedWritten(double rate)
    {
        await using var harness = new PipelineHarness(o => o.RawSampleRate = rate);
        await harness.StartAsync();
        for (var i = 0; i < 1_000; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal((int)(1_000 * rate), harness.Store.Requests.Count);
        Assert.Equal(1_000, harness.Pipeline.Written);
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            Assert.Equal(1_000, harness.Store.RequestRollups.Where(r => r.Granularity == granularity).Sum(r => r.Count));
        }
    }

    [Fact]
    public async Task RequestsSampledOutOfTheRawRowsDoNotFillABatch()
    {
        // Ten batches' worth of requests, none kept raw: one transaction of rollups at the flush, not ten.
        await using var harness = await StartSampledOutAsync(batchSize: 100);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(harness.Queue.TryEnqueue(PipelineHarness.Request(i)));
        }

        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal(1, harness.Store.BatchesWritten);
        Assert.Equal(1_000, harness.Pipeline.Written);
        Assert.Equal(1_000, harness.Store.RequestRollups.Where(r => r.Granularity == Granularity.Minute).Sum(r => r.Count));
    }

    [Fact]
    public async Task FailedRequestsAndEventsStillFillABatchWhenTheRestIsSampledOut()
    {
        await using var harness = await StartSampledOutAsync(batchSize: 100);
        for (var i = 0; i < 60; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i, status: 500)); // failures are always kept raw
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
            harness.Tracker.Track("signup");
        }

        // 180 records, 120 of them kept (60 failures, 60 events): the 100th kept fills a batch without a flush.
        await Wait.UntilAsync(() => harness.Store.BatchesWritten >= 1, Deadline, "a batch of 100 raw rows and events is written");
        Assert.Equal(100, harness.Store.LargestBatch);
    }

    [Fact]
    public async Task ABatchOfSampledOutRequestsIsWrittenOnceItHoldsAQueuesWorth()
    {
        await using var harness = await StartSampledOutAsync(batchSize: 50, queueCapacity: 200);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(harness.Queue.TryEnqueue(PipelineHarness.Request(i)));
        }

        // Neither a flush nor the interval: the 200 folded requests alone make the writer commit.
        await Wait.UntilAsync(() => harness.Pipeline.Written == 200, Deadline, "the folded requests are written");
        Assert.Equal(1, harness.Store.BatchesWritten);
    }

    [Fact]
    public async Task AHalfSampleRateKeepsAboutHalf()
    {
        await using var harness = new PipelineHarness(o => o.RawSampleRate = 0.5);
        await harness.StartAsync();
        for (var i = 0; i < 10_000; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        // Binomial(10 000, 0.5) has a standard deviation of 50: ±600 is twelve of them.
        Assert.InRange(harness.Store.Requests.Count, 4_400, 5_600);
        Assert.Equal(10_000, harness.Store.RequestRollups.Where(r => r.Granularity == Granularity.Day).Sum(r => r.Count));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    public async Task EveryCommittedRequestReachesTheLiveFeedAndTheMetricsEvenWhenSampledOutOfTheRawRows(double rate)
    {
        await using var harness = new PipelineHarness(o => o.RawSampleRate = rate);
        using var subscriber = harness.Feed.TrySubscribe(null)!;
        await harness.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            harness.Queue.TryEnqueue(PipelineHarness.Request(i));
        }

        harness.Queue.TryEnqueue(new EventRecord { Timestamp = DateTimeOffset.UnixEpoch, Name = "deploy" });
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        harness.Feed.Pump();

        var paths = new List<string>();
        var events = 0;
        while (subscriber.TryRead(out var message))
        {
            if (message.Kind == Analytics.Live.LiveMessageKind.Request)
            {
                paths.Add(Analytics.Tests.Live.TestLiveSerializer.Text(message));
            }
            else
            {
                events++;
            }
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"/items/{i}").Order(), paths.Order());
        Assert.Equal(1, events);
        Assert.Contains("analytics_http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"} 100\n", harness.PrometheusText(1));
    }

    [Fact]
    public async Task ABatchTheStoreNeverTookIsNeitherStreamedNorCounted()
    {
        await using var harness = new PipelineHarness(backoff: new WriteBackoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), 2));
        using var subscriber = harness.Feed.TrySubscribe(null)!;
        harness.Store.Fail = true;
        await harness.StartAsync();
        harness.Queue.TryEnqueue(PipelineHarness.Request(1));
        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        harness.Feed.Pump();

        Assert.Equal(1, harness.Pipeline.Dropped);
        Assert.False(subscriber.TryRead(out _));
        Assert.DoesNotContain("analytics_http_requests_total{", harness.PrometheusText(1));
    }

    /// <summary>A started harness that keeps no request raw and never writes on the interval: only full batches and flushes write.</summary>
    private static async Task<PipelineHarness> StartSampledOutAsync(int batchSize, int queueCapacity = RequestAnalyticsDefaults.QueueCapacity)
    {
        var harness = new PipelineHarness(o =>
        {
            o.RawSampleRate = 0;
            o.BatchSize = batchSize;
            o.QueueCapacity = queueCapacity;
            o.FlushInterval = TimeSpan.FromHours(1);
        });
        await harness.StartAsync();
        return harness;
    }
}
