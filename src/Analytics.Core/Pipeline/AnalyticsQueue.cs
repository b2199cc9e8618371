using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Analytics.Storage;
using Analytics.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline;

/// <summary>
/// The bounded queue between the request path and the writer, and the pipeline's counters. Producers never block and
/// never lock: a record takes one compare-and-exchange to reserve its place under the capacity and one lock-free
/// <see cref="ConcurrentQueue{T}"/> enqueue; a full or closed queue drops the record and counts it.
/// </summary>
/// <remarks>
/// A <c>BoundedChannel</c> did this before, under a lock that every producer and the writer took once per record, which
/// showed in profiles of the request path and of the writer's loop. Flushes travel apart from the records, as the count
/// of records accepted before them, so a flush never waits for room and never takes a record's place.
/// </remarks>
internal sealed partial class AnalyticsQueue : IAnalyticsPipeline
{
    // One warning per interval is enough to notice a sustained overload without flooding the log from the hot path.
    internal static readonly TimeSpan DropLogInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<AnalyticsItem> _items = new();
    private readonly ConcurrentQueue<FlushMarker> _flushes = new();
    private readonly int _capacity;
    private readonly AnalyticsMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Accepted (raised by producers only while there is room; taken back only by one that raced the queue closing) and
    // taken (written by the writer alone), on separate cache lines. Accepted minus taken is what the queue holds or is about to.
    private Counters _counters;
    private int _closed;

    // While the writer waits for its batch to fill, the producer whose record brings the accepted count to _wakeAt
    // completes _wake: one wake-up per batch, not a thread-pool dispatch and a context switch per request.
    // long.MaxValue: the writer is not waiting.
    private long _wakeAt = long.MaxValue;
    private TaskCompletionSource? _wake;
    private long _dropped;
    private long _written;

    // Drops not yet reported in a log line, and when the last line was written (0: never). Owned by ReportDrops.
    private long _unreportedDrops;
    private long _lastDropLogTimestamp;

    public AnalyticsQueue(
        IOptions<RequestAnalyticsOptions> options,
        AnalyticsMetrics metrics,
        TimeProvider timeProvider,
        ILogger<AnalyticsQueue> logger)
    {
        _capacity = options.Value.QueueCapacity;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
        metrics.ObserveQueueLength(() => QueueLength);
    }

    public long Accepted => Interlocked.Read(ref _counters.Accepted);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Written => Interlocked.Read(ref _written);

    public int QueueLength => (int)Math.Clamp(Interlocked.Read(ref _counters.Accepted) - Volatile.Read(ref _counters.Taken), 0, _capacity);

    private bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Completes when the writer has stopped and drained the queue.</summary>
    internal Task Drained => _drained.Task;

    public bool TryEnqueue(in RequestRecord request) => TryEnqueue(new AnalyticsItem(request));

    public bool TryEnqueue(EventRecord analyticsEvent) => TryEnqueue(new AnalyticsItem(analyticsEvent));

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (IsClosed)
        {
            // The writer is stopping: it drains everything that was accepted before it closed the queue.
            await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var marker = new FlushMarker(Interlocked.Read(ref _counters.Accepted));
        _flushes.Enqueue(marker);
        Volatile.Read(ref _wake)?.TrySetResult(); // the writer may be waiting for a full batch: a flush cannot wait for one

        // Drained also answers: a marker queued just as the writer closed the queue may never be reached, but the
        // drain has written everything accepted before it.
        await Task.WhenAny(marker.Task, _drained.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>For the writer: takes the oldest record or event, if one has arrived.</summary>
    internal bool TryTake(out AnalyticsItem item)
    {
        if (_items.TryDequeue(out item))
        {
            // Only the writer writes Taken; the volatile store publishes it to producers checking the capacity.
            Volatile.Write(ref _counters.Taken, _counters.Taken + 1);
            return true;
        }

        return false;
    }

    /// <summary>
    /// For the writer: takes the oldest flush marker once every record accepted before it has been taken, so the batch
    /// that holds them is the one to write before completing it.
    /// </summary>
    internal bool TryTakeFlush([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FlushMarker? marker)
    {
        if (_flushes.TryPeek(out marker) && IsReached(marker.Accepted) && _flushes.TryDequeue(out marker))
        {
            return true;
        }

        marker = null;
        return false;
    }

    /// <summary>Gets whether a flush is queued that still waits for records to be taken.</summary>
    internal bool FlushWaiting => !_flushes.IsEmpty;

    /// <summary>
    /// Gets whether every record accepted so far has been taken. False while a producer that has counted its record is
    /// still enqueuing it (a few instructions), or is taking it back after seeing the queue closed.
    /// </summary>
    internal bool AllTaken => Volatile.Read(ref _counters.Taken) == Interlocked.Read(ref _counters.Accepted);

    // Or all taken: a producer counted when the flush was queued may have been refused since, and will never arrive.
    private bool IsReached(long accepted) => Volatile.Read(ref _counters.Taken) >= accepted || AllTaken;

    /// <summary>
    /// For the writer: a task that completes once <paramref name="records"/> more records than it has taken have been
    /// accepted, or a flush was queued. It completes at once when they already have been, though one of them may still
    /// be on its way into the queue. The writer must look at the queue again after calling this, since a record or
    /// marker that arrived just before may not have completed it; it calls <see cref="StopWaking"/> when done waiting.
    /// </summary>
    internal Task WakeAfter(int records)
    {
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _wake, wake);

        // Exchange, then read: a producer raises the count (a full fence), then reads _wakeAt. One of the two sees the
        // other's write.
        var target = _counters.Taken + records;
        Interlocked.Exchange(ref _wakeAt, target);
        if (Interlocked.Read(ref _counters.Accepted) >= target || !_flushes.IsEmpty)
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

    /// <summary>
    /// Closes the queue: later records are refused and counted as dropped. A producer counts its record, then looks at
    /// the flag; this sets the flag, then the writer reads the count (both full fences). So each producer either sees
    /// the queue closed, or is counted and its record will be taken: the drain waits for <see cref="AllTaken"/>.
    /// </summary>
    internal void Close() => Interlocked.Exchange(ref _closed, 1);

    internal void MarkDrained() => _drained.TrySetResult();

    /// <summary>Counts a record the middleware could not build; capturing must never throw into a request.</summary>
    internal void CountCaptureFailure(Exception exception)
    {
        CountDropped(1, DropReason.CaptureFailed);
        GuardedLog.Write(_logger, static (logger, exception) => LogCaptureFailed(logger, exception), exception);
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
    /// names none; the <c>analytics.pipeline.dropped_records</c> counter carries the reason of each drop as <c>error.type</c>.
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
            GuardedLog.Write(_logger, static (logger, state) => LogRecordsDropped(logger, state.count, state.Dropped), (count, Dropped));
        }
    }

    private bool TryEnqueue(in AnalyticsItem item)
    {
        if (IsClosed)
        {
            CountDropped(1, DropReason.Stopped);
            return false;
        }

        // A place is reserved only while there is room: a refused record never raises the count, so Accepted (a
        // Prometheus counter) never goes down while the queue is full. Each success moves it by exactly one, so the
        // value a producer sets is its own, which is what the wake-up compares with.
        var seen = Volatile.Read(ref _counters.Accepted);
        long accepted;
        while (true)
        {
            if (seen - Volatile.Read(ref _counters.Taken) >= _capacity)
            {
                CountDropped(1, DropReason.QueueFull);
                return false;
            }

            var before = Interlocked.CompareExchange(ref _counters.Accepted, seen + 1, seen);
            if (before == seen)
            {
                accepted = seen + 1;
                break;
            }

            seen = before;
        }

        // Read after the full fence of the exchange, as Close writes the flag before the drain reads the count: either
        // this sees the queue closed, or the drain waits for this record.
        if (IsClosed)
        {
            Interlocked.Decrement(ref _counters.Accepted);
            CountDropped(1, DropReason.Stopped);
            return false;
        }

        _items.Enqueue(item);
        if (accepted == Volatile.Read(ref _wakeAt))
        {
            Volatile.Read(ref _wake)?.TrySetResult();
        }

        _metrics.Accepted();
        return true;
    }

    // The producers' counter and the writer's, a cache line (and the adjacent-line prefetch) apart, as the runtime pads
    // ConcurrentQueue's head and tail: each write to one would otherwise evict the other from the other core's cache.
    [StructLayout(LayoutKind.Explicit, Size = 3 * CacheLine)]
    private struct Counters
    {
        private const int CacheLine = 128;

        [FieldOffset(CacheLine)]
        public long Accepted;

        [FieldOffset(2 * CacheLine)]
        public long Taken;
    }
}
