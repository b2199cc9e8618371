using System.Diagnostics;
using Analytics.Storage;
using Analytics.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline;

/// <summary>
/// The single reader of the queue. Takes up to <see cref="RequestAnalyticsOptions.BatchSize"/> raw rows and events or
/// whatever arrived within <see cref="RequestAnalyticsOptions.FlushInterval"/>, writes them in one store transaction, retries
/// failures with <see cref="WriteBackoff"/>, and on stop closes the queue and drains everything still in it. It knows
/// the features only as <see cref="IBatchStep"/>s, which add to a batch before each attempt (webhook messages), and
/// <see cref="IBatchListener"/>s, which it tells about each committed batch (live feed, Prometheus, outbox signal, meter).
/// </summary>
internal sealed partial class AnalyticsWriter : BackgroundService
{
    private readonly AnalyticsQueue _queue;
    private readonly IAnalyticsStore _store;
    private readonly IBatchStep[] _steps;
    private readonly IBatchListener[] _listeners;
    private readonly WriteBackoff _backoff;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _batchSize;
    private readonly int _foldLimit;
    private readonly TimeSpan _flushInterval;
    private readonly double _rawSampleRate;
    private readonly IRawAheadStore? _rawAhead; // commits raw rows ahead of their rollups (AnalyticsWriter.RawAhead.cs)
    private readonly Func<RequestRecord, ErrorSeverity>? _classifyError;
    private readonly int _maxConsumersPerBucket;

    // The batch the writer loop folds records into; the other one is being written meanwhile, or waits empty (Overlap part).
    private WriterBatch _filling;
    private WriterBatch _spare;
    private bool _initialized;
    private bool _mustCatchUp; // fold raw rows left ahead of their rollups before the next write (AnalyticsWriter.RawAhead.cs)
    private bool _catchUpFailing; // that fold was attempted and threw
    private WriterThread? _thread; // folds; from ExecuteAsync's start to the end of its drain
    private WriterThread? _committer; // runs the store's transactions, beside the folding (AnalyticsWriter.Overlap.cs)
    private volatile int _consecutiveFailures;
    private volatile Exception? _lastError;

    public AnalyticsWriter(
        AnalyticsQueue queue,
        IAnalyticsStore store,
        WriteBackoff backoff,
        IOptions<RequestAnalyticsOptions> options,
        TimeProvider timeProvider,
        ILogger<AnalyticsWriter> logger,
        AnalyticsMetrics metrics,
        IEnumerable<IBatchStep> steps,
        IEnumerable<IBatchListener> listeners,
        StoreCapabilities capabilities)
    {
        _queue = queue;
        _store = store;
        _steps = [.. steps];
        _listeners = [.. listeners];
        _backoff = backoff;
        _timeProvider = timeProvider;
        _logger = logger;
        _batchSize = options.Value.BatchSize;
        _foldLimit = options.Value.QueueCapacity;
        _flushInterval = options.Value.FlushInterval;
        _rawSampleRate = options.Value.RawSampleRate;
        // Only while every request is kept raw: the rows a stop leaves ahead are folded again, and sampled raw rows (every
        // failure, some successes) would fold into rollups with a false error rate.
        _rawAhead = options.Value.RawSampleRate >= 1 ? capabilities.RawAhead : null;
        _maxConsumersPerBucket = options.Value.MaxConsumersPerBucket;
        _classifyError = options.Value.ClassifyError;
        // One admission for every batch: a bucket's consumer names outlive the batch that began it.
        var admission = new ConsumerAdmission(
            options.Value.MaxConsumersPerBucket, new ConsumerOverflowReporter(metrics, logger, timeProvider));
        _filling = new WriterBatch(new AnalyticsBatch(_classifyError, admission));
        _spare = new WriterBatch(new AnalyticsBatch(_classifyError, admission));
    }

    /// <summary>Gets how many raw rows and events the batch being filled holds: what fills it.</summary>
    private int Kept => _filling.Kept;

    /// <summary>Gets how many records were folded into the batch being filled.</summary>
    private int Pending => _filling.Pending;

    /// <summary>Gets how many writes in a row have failed; 0 when the last one succeeded.</summary>
    public int ConsecutiveFailures => _consecutiveFailures;

    /// <summary>Gets the error of the last failed write, or <see langword="null"/> once a write succeeds again.</summary>
    public Exception? LastError => _lastError;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Whatever span was current when the host started did not cause every batch: each write is a trace of its own.
        Activity.Current = null;
        using var thread = _thread = new WriterThread("Request analytics writer");
        using var committer = _committer = new WriterThread("Request analytics commit");
        try
        {
            // Checked here too, not only where the loop waits: producers that keep the queue full would otherwise let
            // it write batch after batch without ever waiting, and a stop would never close the queue and drain it.
            while (!stoppingToken.IsCancellationRequested)
            {
                await FillBatchAsync(stoppingToken).ConfigureAwait(false);
                await (RollupsCanWait() ? SendRawAheadAsync(stoppingToken) : HandOverAsync(stoppingToken)).ConfigureAwait(false);
                _queue.ReportDrops();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Graceful stop: fall through to the drain with whatever the batch already holds.
        }

        await DrainAsync().ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // BackgroundService starts ExecuteAsync through Task.Run with the stopping token, so a stop that comes right
        // after the start can cancel it before it ever runs. The queue must be closed and drained all the same.
        if (ExecuteTask is null or { IsCompleted: true } && !_queue.Drained.IsCompleted)
        {
            await DrainAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Fills the batch; returns when it must be written, or throws once stopping is requested.</summary>
    private async Task FillBatchAsync(CancellationToken stoppingToken)
    {
        await WriterThread.SwitchTo(_thread);

        // Nothing in hand: wait for the first record or a flush, however long that takes.
        var spin = default(SpinWait);
        while (!TakeAvailable() && Pending == 0)
        {
            var first = _queue.WakeAfter(1);
            try
            {
                if (TakeAvailable() || Pending > 0)
                {
                    break; // arrived while arming
                }

                if (first.IsCompleted)
                {
                    spin.SpinOnce(); // counted by its producer, not enqueued yet: moments away
                    continue;
                }

                await first.WaitAsync(stoppingToken).ConfigureAwait(false);
                await WriterThread.SwitchTo(_thread); // folding is the writer's CPU work: off the request threads' pool
            }
            finally
            {
                _queue.StopWaking();
            }
        }

        // The first record is in hand: wait for more until the batch is full, a flush is asked for, or the interval ends.
        // The queue wakes the writer once for all of them, not once per record. The interval runs from the batch's first
        // record, across the raw rows sent ahead of its rollups (AnalyticsWriter.RawAhead.cs).
        var started = _filling.Started ??= _timeProvider.GetTimestamp();
        spin = default;
        while (!TakeAvailable())
        {
            var remaining = _flushInterval - _timeProvider.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            var wake = _queue.WakeAfter(Math.Min(_batchSize - Kept, _foldLimit - Pending));
            try
            {
                if (TakeAvailable())
                {
                    break; // what arrived while arming filled the batch or asked for a flush
                }

                if (wake.IsCompleted)
                {
                    spin.SpinOnce(); // counted by their producers, not enqueued yet: moments away, as above
                    continue;
                }

                using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(wake, Task.Delay(remaining, _timeProvider, timer.Token)).ConfigureAwait(false);
                timer.Cancel(); // releases the interval's timer when woken early
                await WriterThread.SwitchTo(_thread);

                // Woken or not, the loop takes what arrived meanwhile before it looks at the time: at the interval's end
                // the batch must hold every record that is due, not only the first one.
                stoppingToken.ThrowIfCancellationRequested();
            }
            finally
            {
                _queue.StopWaking();
            }
        }
    }

    /// <summary>
    /// Moves queued items into the batch; returns <see langword="true"/> when the batch must be written now: it holds
    /// <see cref="RequestAnalyticsOptions.BatchSize"/> raw rows and events, or a flush was asked for. A request sampled
    /// out of the raw rows only adds to the rollups' counts and sketches, so it does not fill the batch: with
    /// <c>RawSampleRate = 0</c> the writer commits once per flush interval, not once per <c>BatchSize</c> requests, and
    /// a batch still holds no more requests than the queue does (<see cref="RequestAnalyticsOptions.QueueCapacity"/>).
    /// </summary>
    private bool TakeAvailable()
    {
        var keepSampledOut = WantsSampledOut();
        var spin = default(SpinWait);
        while (Kept < _batchSize && Pending < _foldLimit)
        {
            if (_queue.TryTakeFlush(out var marker))
            {
                _filling.Markers.Add(marker);
                return true;
            }

            if (!_queue.TryTake(out var item))
            {
                if (!_queue.FlushWaiting || _queue.AllTaken)
                {
                    break;
                }

                // A flush waits for a record whose producer has counted it and is enqueuing it right now.
                spin.SpinOnce();
                continue;
            }

            // Folding is the writer's other long stretch of CPU: it gives the core up as the commit does (SqliteWriter).
            if ((_filling.Pending & 255) == 255)
            {
                Thread.Yield();
            }

            var batch = _filling;
            if (item.Event is { } analyticsEvent)
            {
                batch.Pending++;
                batch.Batch.AddEvent(analyticsEvent);
                continue;
            }

            ref readonly var request = ref item.Request;
            batch.Pending++;

            // Failed requests are always kept: they are the occurrences an error group shows.
            var keepRaw = _rawSampleRate >= 1 || request.IsError || (_rawSampleRate > 0 && Random.Shared.NextDouble() < _rawSampleRate);
            batch.Batch.AddRequest(request, keepRaw);
            if (keepSampledOut && !keepRaw)
            {
                batch.SampledOut.Add(request);
            }
        }

        // A marker taken earlier still means "write now" until the batch holding it is written.
        return Kept >= _batchSize || Pending >= _foldLimit || _filling.Markers.Count > 0;
    }

    private bool WantsSampledOut()
    {
        foreach (var listener in _listeners)
        {
            if (listener.WantsSampledOut)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes <paramref name="batch"/> with retries, then completes its flush markers and empties it.</summary>
    private async Task WriteBatchAsync(WriterBatch batch, CancellationToken stoppingToken)
    {
        // An empty batch is written only to fold raw rows a given-up batch left ahead of their rollups: a flush repairs them.
        if (batch.Pending > 0 || batch.Batch.RawAhead || _mustCatchUp)
        {
            await PersistAsync(batch, stoppingToken).ConfigureAwait(false);
        }

        foreach (var marker in batch.Markers)
        {
            marker.Complete();
        }

        batch.Clear();
    }
}
