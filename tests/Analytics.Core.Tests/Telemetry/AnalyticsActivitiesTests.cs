using System.Collections.Concurrent;
using System.Diagnostics;
using Analytics.Pipeline;
using Analytics.Telemetry;
using Analytics.Testing;

namespace Analytics.Tests.Telemetry;

/// <summary>
/// The spans of batch writes. Every test of this process that listens to the library's source is in this class, so
/// none runs alongside the broken listener below.
/// </summary>
public class AnalyticsActivitiesTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EachWriteAttemptIsASpanOfItsOwnTraceAroundTheStoresWrite()
    {
        using var spans = new ActivityCollector(AnalyticsTelemetry.ActivitySourceName);
        await using var harness = new PipelineHarness(o => o.BatchSize = 3);
        var inside = new ConcurrentQueue<Activity?>(); // the span current while the store writes: its client's spans nest there
        harness.Store.OnWrite = () =>
        {
            inside.Enqueue(Activity.Current);
            harness.Store.Fail = inside.Count == 1; // the first attempt fails, the retry succeeds
        };
        using (new Activity("host start").Start())
        {
            await harness.StartAsync(); // a span current at the start is not the parent of every batch
        }

        harness.Tracker.Track("a");
        harness.Tracker.Track("b");
        harness.Tracker.Track("c");
        await harness.Pipeline.FlushAsync(default).AsTask().WaitAsync(Deadline);

        var attempts = inside.ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.All(attempts, a => Assert.NotNull(a));
        var (failed, written) = (attempts[0]!, attempts[1]!);
        Assert.Contains(failed, spans.Stopped);
        Assert.Contains(written, spans.Stopped);
        Assert.All(attempts, a =>
        {
            Assert.Equal("analytics.batch.write", a!.OperationName);
            Assert.Equal(AnalyticsTelemetry.ActivitySourceName, a.Source.Name);
            Assert.Equal(default, a.ParentSpanId);
            Assert.Equal(3, a.GetTagItem("analytics.batch.records"));
        });
        Assert.NotEqual(failed.TraceId, written.TraceId);

        Assert.Equal(1, failed.GetTagItem("analytics.batch.attempt"));
        Assert.Equal("retrying", failed.GetTagItem("analytics.batch.outcome"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(typeof(IOException).FullName, failed.GetTagItem("error.type"));
        var exception = Assert.Single(failed.Events, e => e.Name == "exception");
        Assert.Equal(typeof(IOException).FullName, exception.Tags.Single(t => t.Key == "exception.type").Value);

        Assert.Equal(2, written.GetTagItem("analytics.batch.attempt"));
        Assert.Equal("written", written.GetTagItem("analytics.batch.outcome"));
        Assert.Equal(ActivityStatusCode.Unset, written.Status);
        Assert.Null(written.GetTagItem("error.type"));
    }

    [Fact]
    public async Task ABatchGivenUpEndsWithAnAbandonedSpan()
    {
        using var spans = new ActivityCollector(AnalyticsTelemetry.ActivitySourceName);
        await using var harness = new PipelineHarness(backoff: new WriteBackoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), maxAttempts: 2));
        var inside = new ConcurrentQueue<Activity?>();
        harness.Store.Fail = true;
        harness.Store.OnWrite = () => inside.Enqueue(Activity.Current);
        await harness.StartAsync();

        harness.Tracker.Track("lost");
        await harness.Pipeline.FlushAsync(default).AsTask().WaitAsync(Deadline);

        Assert.Equal(["retrying", "abandoned"], inside.Select(a => a?.GetTagItem("analytics.batch.outcome")));
        Assert.All(inside, a => Assert.Equal(ActivityStatusCode.Error, a!.Status));
        Assert.Equal(1, harness.Pipeline.Dropped);
    }

    [Theory]
    [InlineData("started")]
    [InlineData("stopped")]
    [InlineData("exception")]
    public async Task AListenerThatThrowsNeitherStopsTheWriterNorWritesABatchTwice(string when)
    {
        static void Throw() => throw new InvalidOperationException("The listener is broken.");
        using var broken = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AnalyticsTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _ => { if (when == "started") { Throw(); } },
            ActivityStopped = _ => { if (when == "stopped") { Throw(); } },
            ExceptionRecorder = (Activity _, Exception _, ref TagList _) => { if (when == "exception") { Throw(); } },
        };
        ActivitySource.AddActivityListener(broken);
        await using var harness = new PipelineHarness(o => o.BatchSize = 2);
        var attempts = 0;
        harness.Store.OnWrite = () => harness.Store.Fail = Interlocked.Increment(ref attempts) == 1; // a failure records an exception too
        await harness.StartAsync();

        for (var i = 0; i < 10; i++)
        {
            Assert.True(harness.Tracker.Track("event"));
        }

        await harness.Pipeline.FlushAsync(default).AsTask().WaitAsync(Deadline);

        Assert.Equal(10, harness.Store.Events.Count);
        Assert.Equal(10, harness.Pipeline.Written);
        Assert.Equal(0, harness.Pipeline.Dropped);
        Assert.True(attempts > 1, "the writer went on after the failed attempt");
    }

    [Fact]
    public void WithoutAListenerNoSpanIsStarted()
    {
        // Nothing else in this process listens to the source while this class runs (see the class's summary).
        Assert.False(AnalyticsActivities.Source.HasListeners());
        Assert.Null(AnalyticsActivities.Start(AnalyticsActivities.BatchWrite));

        using var spans = new ActivityCollector(AnalyticsTelemetry.ActivitySourceName);
        using var span = AnalyticsActivities.Start(AnalyticsActivities.BatchWrite);
        Assert.NotNull(span);
    }
}
