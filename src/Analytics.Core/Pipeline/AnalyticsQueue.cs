using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline;

/// <summary>
/// The bounded queue between the request path and the writer, and the pipeline's counters. Producers only ever call
/// <c>TryWrite</c>: a full queue drops the record and counts it, it never blocks a request.
/// </summary>
internal sealed partial class AnalyticsQueue : IAnalyticsPipeline
{
    // One warning per interval is enough to notice a sustained overload without flooding the log from the hot path.
    internal static readonly TimeSpan DropLogInterval = TimeSpan.FromSeconds(10);

    private readonly Channel<AnalyticsItem> _channel;
    private readonly AnalyticsMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private volatile bool _closed;
    private long _accepted;

    // While the writer waits for its batch to fill, the producer whose record brings _accepted to _wakeAt completes
    // _wake: one wake-up per batch. Waiting on the channel instead would wake the writer for nearly every record, a
    // thread-pool dispatch and a context switch per request. long.MaxValue: the writer is not waiting.
    private long _wakeAt = long.MaxValue;
    private TaskCompletionSource? _wake;
    private long _dropped;
    private long _written;

    // Drops not yet reported in a log line, and when the last line was written (0: never). Owned by ReportDrops.
    private long _unreportedDrops;
    private long _lastDropLogTimestamp;

    public AnalyticsQueue(IOptions<RequestAnalyticsOptions> options, AnalyticsMetrics metrics, TimeProvider timeProvider, ILogger<AnalyticsQueue> logger)
    {
        _channel = Channel.CreateBounded<AnalyticsItem>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite this means "refuse", which is what lets us count drops
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false, // never run the writer's continuation on a request thread
        });
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
        metrics.ObserveQueueLength(() => QueueLength);
    }

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Written => Interlocked.Read(ref _written);

    public int QueueLength => _channel.Reader.Count;

    internal ChannelReader<AnalyticsItem> Reader => _channel.Reader;

    /// <summary>Completes when the writer has stopped and drained the queue.</summary>
    internal Task Drained => _drained.Task;

    public bool TryEnqueue(in RequestRecord request) => TryEnqueue(new AnalyticsItem(request));

    public bool TryEnqueue(EventRecord analyticsEvent) => TryEnqueue(new AnalyticsItem(analyticsEvent));

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var marker = new FlushMarker();
        try
        {
            // WriteAsync, not TryWrite: a flush may wait for room, a request may not.
            await _channel.Writer.WriteAsync(new AnalyticsItem(marker), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The writer is stopping: it drains everything that was accepted before it closed the queue.
            await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        Volatile.Read(ref _wake)?.TrySetResult(); // the writer may be waiting for a full batch: a flush cannot wait for one
        await marker.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// For the writer, holding part of a batch: a task that completes once <paramref name="records"/> more records have
    /// been accepted or a flush was queued. The writer must look at the queue again after calling this, since a record
    /// or marker that arrived just before may not have completed it; it calls <see cref="StopWaking"/> when done waiting.
    /// </summary>
    internal Task WakeAfter(int records)
    {
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _wake, wake);

        // Exchange, then read: a producer increments, then reads _wakeAt. One of the two sees the other's write.
        var target = Interlocked.Read(ref _accepted) + records;
        Interlocked.Exchange(ref _wakeAt, target);
        if (Interlocked.Read(ref _accepted) >= target)
        {
            wake.TrySetResult();
        }

        return wake.Task;
    }

    internal void StopWaking()
    {
        Interlocked.Exchange(ref _wakeAt, long.MaxValue);
        Volatile.Write(ref _wake, null);
    }

    /// <summary>Closes the queue: later records are refused and counted as dropped.</summary>
    internal void Close()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }

    internal void MarkDrained() => _drained.TrySetResult();

    /// <summary>Counts a record the middleware could not build; capturing must never throw into a request.</summary>
    internal void CountCaptureFailure(Exception exception)
    {
        LogCaptureFailed(_logger, exception);
        CountDropped(1, DropReason.CaptureFailed);
    }

    internal void CountWritten(int count) => Interlocked.Add(ref _written, count);

    internal void CountDropped(long count, DropReason reason)
    {
        Interlocked.Add(ref _dropped, count);
        Interlocked.Add(ref _unreportedDrops, count);
        _metrics.Dropped(count, reason);
        ReportDrops();
    }

    /// <summary>
    /// Logs the drops not yet reported, at most once per <see cref="DropLogInterval"/>. One report can mix reasons, so it
    /// names none; the <c>analytics.records.dropped</c> counter carries the reason of each drop.
    /// </summary>
    internal void ReportDrops()
    {
        if (Interlocked.Read(ref _unreportedDrops) == 0)
        {
            return;
        }

        var now = _timeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropLogTimestamp);
        if (last != 0 && _timeProvider.GetElapsedTime(last, now) < DropLogInterval)
        {
            return;
        }

        // Whoever wins the exchange reports; the others leave their drops for the next report.
        if (Interlocked.CompareExchange(ref _lastDropLogTimestamp, now, last) != last)
        {
            return;
        }

        var count = Interlocked.Exchange(ref _unreportedDrops, 0);
        if (count > 0)
        {
            LogRecordsDropped(_logger, count, Dropped);
        }
    }

    private bool TryEnqueue(in AnalyticsItem item)
    {
        if (_channel.Writer.TryWrite(item))
        {
            if (Interlocked.Increment(ref _accepted) == Volatile.Read(ref _wakeAt))
            {
                Volatile.Read(ref _wake)?.TrySetResult();
            }

            _metrics.Accepted();
            return true;
        }

        CountDropped(1, _closed ? DropReason.Stopped : DropReason.QueueFull);
        return false;
    }

    [LoggerMessage(EventId = 2, EventName = "CaptureFailed", Level = LogLevel.Debug, Message = "Request analytics could not capture a request.")]
    private static partial void LogCaptureFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1, EventName = "RecordsDropped", Level = LogLevel.Warning,
        Message = "Request analytics dropped {Count} records since the last report, {TotalDropped} since start: the queue was full or stopped, or the store kept failing. Raise QueueCapacity or check the store.")]
    private static partial void LogRecordsDropped(ILogger logger, long count, long totalDropped);
}
