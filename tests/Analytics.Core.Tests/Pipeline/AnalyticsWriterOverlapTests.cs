using Analytics.Pipeline;
using Analytics.Testing;

namespace Analytics.Tests.Pipeline;

/// <summary>The writer folds the next batch while the store writes the last one (AnalyticsWriter.Overlap.cs).</summary>
public class AnalyticsWriterOverlapTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task TheNextBatchIsFoldedWhileTheStoreWritesAndAFlushWaitsForBothToCommit()
    {
        await using var harness = new PipelineHarness(o =>
        {
            o.BatchSize = 10;
            o.FlushInterval = TimeSpan.FromHours(1);
        });
        harness.Store.Stall();
        await harness.StartAsync();
        Enqueue(harness, 0, 10);
        await Wait.UntilAsync(() => harness.Store.WriteAttempts == 1, Deadline, "the first batch reaches the stalled store");

        Enqueue(harness, 10, 5);
        var flush = harness.Pipeline.FlushAsync().AsTask();
        await Wait.UntilAsync(() => harness.Queue.QueueLength == 0, Deadline, "the writer takes the next records while the store writes");

        Assert.False(flush.IsCompleted);
        Assert.Equal(1, harness.Store.WriteAttempts); // the second batch waits for the first
        harness.Store.Release();
        await flush.WaitAsync(Deadline);

        Assert.Equal(2, harness.Store.BatchesWritten);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => $"/items/{i}"), harness.Store.Requests.Select(r => r.Path));
        Assert.Equal(15, harness.Pipeline.Written);
    }

    [Fact]
    public async Task AFailedBatchIsRetriedWhileTheNextOneWaitsAndBothCommitInOrder()
    {
        var time = new TimerWatchingFakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var harness = new PipelineHarness(
            o =>
            {
                o.BatchSize = 10;
                o.FlushInterval = TimeSpan.FromHours(1);
            },
            backoff: new WriteBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), maxAttempts: 10),
            timeProvider: time);
        harness.Store.Fail = true;
        await harness.StartAsync();
        Enqueue(harness, 0, 10);
        await Wait.UntilAsync(() => harness.Store.WriteAttempts == 1, Deadline, "the first attempt fails");
        Enqueue(harness, 10, 10);
        await Wait.UntilAsync(() => harness.Queue.QueueLength == 0, Deadline, "the next batch fills during the backoff");

        Assert.Equal(1, harness.Store.WriteAttempts);
        harness.Store.Fail = false;
        await Wait.UntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1)); // until the backoff's timer fires, whenever it was armed
                return harness.Store.BatchesWritten == 2;
            },
            Deadline,
            "the retried batch and the next one are written");

        var ids = harness.Store.AttemptedBatchIds.ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(ids[0], ids[1]); // the retry re-writes the same batch
        Assert.NotEqual(ids[1], ids[2]);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"/items/{i}"), harness.Store.Requests.Select(r => r.Path));
        Assert.Equal(20, harness.Pipeline.Written);
        Assert.Equal(0, harness.Pipeline.Dropped);
    }

    [Fact]
    public async Task AStopWhileABatchIsBeingWrittenWaitsForItThenDrainsTheRest()
    {
        await using var harness = new PipelineHarness(o =>
        {
            o.BatchSize = 10;
            o.FlushInterval = TimeSpan.FromHours(1);
        });
        harness.Store.Stall();
        await harness.StartAsync();
        Enqueue(harness, 0, 10);
        await Wait.UntilAsync(() => harness.Store.WriteAttempts == 1, Deadline, "the first batch reaches the stalled store");
        Enqueue(harness, 10, 5);

        var stop = harness.StopAsync();
        Assert.False(stop.IsCompleted);
        harness.Store.Release();
        await stop.WaitAsync(Deadline);

        Assert.Equal(Enumerable.Range(0, 15).Select(i => $"/items/{i}"), harness.Store.Requests.Select(r => r.Path));
        Assert.Equal(15, harness.Pipeline.Written);
        Assert.Equal(0, harness.Pipeline.Dropped);
        Assert.True(harness.Queue.Drained.IsCompleted);
    }

    private static void Enqueue(PipelineHarness harness, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            Assert.True(harness.Queue.TryEnqueue(PipelineHarness.Request(i)));
        }
    }
}
