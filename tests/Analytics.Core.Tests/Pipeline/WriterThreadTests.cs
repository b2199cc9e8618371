using System.Collections.Concurrent;
using Analytics.Pipeline;

namespace Analytics.Tests.Pipeline;

public class WriterThreadTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WhatFollowsASwitchRunsOnTheWritersThreadNotThePool()
    {
        using var thread = new WriterThread("test writer");
        await Task.Yield(); // on the pool first

        await thread.SwitchTo();

        Assert.True(thread.IsCurrent);
        Assert.False(Thread.CurrentThread.IsThreadPoolThread);
        Assert.Equal("test writer", Thread.CurrentThread.Name);
    }

    [Fact]
    public async Task ASwitchAfterTheThreadIsDisposedStillContinues()
    {
        var thread = new WriterThread("test writer");
        thread.Dispose();

        await thread.SwitchTo().AsTask().WaitAsync(Deadline);

        Assert.False(thread.IsCurrent);
    }

    [Fact]
    public async Task TheStoreWritesEveryBatchOnTheWritersOwnThread()
    {
        // A synchronous store on a pool thread holds one of the pool's few workers for its whole transaction, and
        // requests wait behind it (benchmarks/fixed-rate.sh): every attempt, retries included, runs on the writer's thread.
        await using var harness = new PipelineHarness(o => o.BatchSize = 10);
        var onPool = new ConcurrentQueue<bool>();
        var attempts = 0;
        harness.Store.OnWrite = () =>
        {
            onPool.Enqueue(Thread.CurrentThread.IsThreadPoolThread);
            harness.Store.Fail = Interlocked.Increment(ref attempts) == 2; // a retry after the backoff's wait, too
        };
        await harness.StartAsync();
        for (var i = 0; i < 50; i++)
        {
            Assert.True(harness.Queue.TryEnqueue(PipelineHarness.Request(i)));
        }

        await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal(50, harness.Store.Requests.Count);
        Assert.True(onPool.Count > 5);
        Assert.DoesNotContain(true, onPool);
    }
}

internal static class SwitchAwaitableExtensions
{
    public static async Task AsTask(this WriterThread.SwitchAwaitable awaitable) => await awaitable;
}
