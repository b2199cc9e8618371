using Analytics.Storage;

namespace Analytics.Pipeline;

/// <summary>
/// Raw rows ahead of their rollups, for a store that declares <see cref="StoreCapabilities.RawAhead"/>: when a batch
/// fills with <see cref="RequestAnalyticsOptions.BatchSize"/> raw rows before its interval ends, its raw rows are
/// committed on their own and its rollups keep growing, to be written once when the interval ends, a flush is asked for
/// or the batch holds <see cref="RequestAnalyticsOptions.QueueCapacity"/> records.
/// </summary>
/// <remarks>
/// Upserting every rollup row a batch touched, at three granularities with their sketches, cost about as much as its
/// 2 000 raw rows: <c>ingest-split</c> measured the pipeline at 1.95× the bare raw-row statement on SQLite with one
/// transaction of both per 2 000 records, and 1.18–1.59× with the rollups written once per 200 000 or 20 000 records
/// (issue 26). At a rate that fills no batch within a flush interval nothing changes: each batch is written whole, as
/// before; so with <see cref="RequestAnalyticsOptions.RawSampleRate"/> below 1, whose raw rows are not the whole traffic.
/// A crash between the two commits is repaired when the writer starts (<see cref="CatchUpAsync"/>), and a batch with
/// rollups given up after its retries is repaired before the next write. A raw-ahead batch given up loses its raw rows
/// only: their requests stay counted in the rollups, as sampled-out requests are.
/// </remarks>
internal sealed partial class AnalyticsWriter
{
    /// <summary>
    /// Gets whether the batch just filled may send its raw rows ahead and keep folding: the store supports it, the batch
    /// is full of raw rows, no flush is waiting for it, its interval has not ended and it may fold more records.
    /// </summary>
    private bool RollupsCanWait() =>
        _rawAhead is not null
        && Kept >= _batchSize
        && _filling.Markers.Count == 0
        && Pending < _foldLimit
        && _filling.Started is { } started
        && _timeProvider.GetElapsedTime(started) < _flushInterval;

    /// <summary>
    /// Waits for the previous batch's write, then writes the raw rows of the batch being filled on their own, while the
    /// batch keeps its rollups and folds on.
    /// </summary>
    private async Task SendRawAheadAsync(CancellationToken stoppingToken)
    {
        await _writing.ConfigureAwait(false);
        var ahead = _spare;
        _filling.MoveRawTo(ahead);
        _writing = Task.Run(() => WriteBatchAsync(ahead, stoppingToken), CancellationToken.None);
    }

    /// <summary>
    /// Folds the raw rows left ahead of their rollups (<see cref="IRawAheadStore"/>) and writes their rollups in a batch
    /// of their own, before any other batch is written, on the commit thread: once the store is initialized (what a stop
    /// left), and again after a batch with rollups was given up (what it would have caught up), before the next
    /// raw-ahead batch could add rows whose rollups are still being folded.
    /// </summary>
    private async Task CatchUpAsync()
    {
        if (_rawAhead is null || await _rawAhead.ReadRawAheadAsync(CancellationToken.None).ConfigureAwait(false) is not { } rows)
        {
            return;
        }

        // Folded on the commit thread while the writer loop folds on its own: an admission of its own, since the loop's is
        // not shared across threads. The consumers it admits are counted apart from the loop's for this one batch.
        var batch = new AnalyticsBatch(_classifyError, new ConsumerAdmission(_maxConsumersPerBucket)) { CatchesUp = true };
        foreach (var request in rows.Requests)
        {
            batch.AddRequest(request, keepRaw: false);
        }

        foreach (var analyticsEvent in rows.Events)
        {
            batch.AddEventRollupOnly(analyticsEvent);
        }

        await _store.WriteBatchAsync(batch, CancellationToken.None).ConfigureAwait(false);
        GuardedLog.Write(
            _logger,
            static (logger, rows) => LogCaughtUp(logger, rows.Requests.Count, rows.Events.Count),
            rows);
    }
}
