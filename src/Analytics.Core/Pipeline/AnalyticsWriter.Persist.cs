using Analytics.Telemetry;

namespace Analytics.Pipeline;

/// <summary>The writer's second half: persisting a batch with retries, handing it on once committed, and the drain on stop.</summary>
internal sealed partial class AnalyticsWriter
{
    /// <summary>Writes the batch, retrying with backoff; never throws. While stopping, one last attempt is made.</summary>
    private async Task PersistAsync(WriterBatch batch, CancellationToken stoppingToken)
    {
        // Records are counted written (or dropped) with their rollups: a raw-ahead batch's are in the batch that catches up.
        // Its span and its log lines name its raw rows instead.
        var records = batch.Pending;
        var logged = batch.Batch.RawAhead ? batch.Kept : records;
        var committed = false;
        var elapsedCommitted = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            // One span per attempt, ended before the backoff wait: a span across the waits would last minutes and say nothing.
            var span = AnalyticsActivities.Start(AnalyticsActivities.BatchWrite);
            span?.SetTag(TelemetryAttributes.BatchRecords, logged).SetTag(TelemetryAttributes.BatchAttempt, attempt);
            var started = _timeProvider.GetTimestamp();
            Exception? error = null;
            try
            {
                await WriteOnceAsync(batch.Batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                error = ex;
            }

            var elapsed = _timeProvider.GetElapsedTime(started);
            if (error is null)
            {
                committed = true;
                elapsedCommitted = elapsed;
                span?.SetTag(TelemetryAttributes.BatchOutcome, "written");
                AnalyticsActivities.Stop(span);
                break;
            }

            _consecutiveFailures++;
            _lastError = error;
            TellFailed(records, elapsed, error);
            var abandon = stoppingToken.IsCancellationRequested || _backoff.ShouldAbandon(attempt);
            span?.SetTag(TelemetryAttributes.BatchOutcome, abandon ? "abandoned" : "retrying");
            AnalyticsActivities.Fail(span, error);
            AnalyticsActivities.Stop(span);
            if (abandon)
            {
                // The raw rows sent ahead of this batch's rollups stay committed: fold them before the next write. Their
                // records are counted dropped all the same: a count that over-states is the safer one for a given-up batch.
                // A fold that itself kept failing is given up with the batch, so that it cannot stop every later write.
                if (_catchUpFailing)
                {
                    (_mustCatchUp, _catchUpFailing) = (false, false);
                    GuardedLog.Write(_logger, static (logger, error) => LogCatchUpAbandoned(logger, error), error);
                }
                else
                {
                    _mustCatchUp |= _rawAhead is not null && !batch.Batch.RawAhead;
                }

                _queue.CountDropped(records, DropReason.StoreFailed);
                GuardedLog.Write(
                    _logger,
                    static (logger, state) => LogBatchAbandoned(logger, state.error, state.Count, state.attempt),
                    (error, Count: logged, attempt));
                break;
            }

            var delay = _backoff.GetDelay(attempt);
            GuardedLog.Write(
                _logger,
                static (logger, state) =>
                    LogWriteFailed(logger, state.error, state.Count, state.attempt, state.delay.TotalSeconds),
                (error, Count: logged, attempt, delay));
            try
            {
                await Task.Delay(delay, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping while backing off: the next iteration is the last attempt.
            }
        }

        if (committed)
        {
            // After the commit, outside the retry: nothing here may write the batch again or count it as dropped.
            TellCommitted(new CommittedBatch(batch.Batch, batch.SampledOut, records, elapsedCommitted));
            _queue.CountWritten(records);
            var failures = _consecutiveFailures;
            _consecutiveFailures = 0;
            _lastError = null;
            if (failures > 0)
            {
                GuardedLog.Write(_logger, static (logger, failures) => LogStoreRecovered(logger, failures), failures);
            }
        }
    }

    /// <summary>One attempt at writing the batch, in one store transaction.</summary>
    private async Task WriteOnceAsync(Analytics.Storage.AnalyticsBatch batch)
    {
        // A synchronous store (SQLite) runs its whole transaction on the writer's commit thread, not on a pool thread,
        // and not on the folding thread either: the next batch folds meanwhile (AnalyticsWriter.Overlap.cs).
        await WriterThread.SwitchTo(_committer);

        // The store is never cancelled mid-transaction: a batch is written whole or not at all.
        if (!_initialized)
        {
            await _store.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            _mustCatchUp = true;
            _initialized = true;
        }

        if (_mustCatchUp)
        {
            _catchUpFailing = true;
            await CatchUpAsync().ConfigureAwait(false);
            _catchUpFailing = false;
            _mustCatchUp = false;
        }

        // Its rollups hold those of every raw-ahead batch before it: the store's record of them goes in its transaction.
        batch.CatchesUp = _rawAhead is not null && !batch.RawAhead;

        foreach (var step in _steps)
        {
            await step.BeforeWriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
        }

        await _store.WriteBatchAsync(batch, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Tells every listener, in order, that the batch is committed; one that throws is logged and skipped.</summary>
    private void TellCommitted(in CommittedBatch batch)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                listener.Committed(batch);
            }
            catch (Exception ex)
            {
                GuardedLog.Write(
                    _logger,
                    static (logger, state) => LogListenerFailed(logger, state.ex, state.Name),
                    (ex, Name: listener.GetType().Name));
            }
        }
    }

    private void TellFailed(int records, TimeSpan elapsed, Exception error)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                listener.WriteFailed(records, elapsed, error);
            }
            catch (Exception ex)
            {
                GuardedLog.Write(
                    _logger,
                    static (logger, state) => LogListenerFailed(logger, state.ex, state.Name),
                    (ex, Name: listener.GetType().Name));
            }
        }
    }

    /// <summary>Closes the queue and writes everything still in it, so a graceful stop loses nothing that was accepted.</summary>
    private async Task DrainAsync()
    {
        _queue.Close();
        var stopping = new CancellationToken(canceled: true); // no backoff waits: one last attempt per batch

        try
        {
            // The batch being written when the stop came goes first, its retries cut short by the stopping token.
            await _writing.ConfigureAwait(false);

            var spin = default(SpinWait);
            while (true)
            {
                TakeAvailable();
                if (_filling.Pending == 0 && _filling.Markers.Count == 0)
                {
                    if (_queue.AllTaken)
                    {
                        break;
                    }

                    // A producer counted its record before the queue closed and is enqueuing it right now.
                    spin.SpinOnce();
                    continue;
                }

                _filling.Seal();
                await WriteBatchAsync(_filling, stopping).ConfigureAwait(false);
            }

            _queue.ReportDrops();
        }
        finally
        {
            _queue.MarkDrained();
        }
    }
}
