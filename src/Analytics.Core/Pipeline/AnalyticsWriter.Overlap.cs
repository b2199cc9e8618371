namespace Analytics.Pipeline;

/// <summary>
/// The writer's overlap: a full batch is written on the writer's commit thread while the writer loop folds the next
/// records into its other batch on the folding thread (both outside the thread pool: <see cref="WriterThread"/>).
/// Folding (minute, hour and day keys, latency and cardinality sketches) cost about as much as the store's statements
/// for the raw rows, and ran on one core while the second stayed idle (IngestBenchmarks, issue 26).
/// </summary>
/// <remarks>
/// The guarantees stay those of one batch at a time: batches are written one after the other in the order they were
/// filled, so a flush marker, completed after its own batch commits, also follows every earlier batch; a failed batch
/// is retried with <see cref="WriteBackoff"/> as before while the next one fills (up to
/// <see cref="RequestAnalyticsOptions.BatchSize"/>, and then waits); listeners hear of committed batches in order; and
/// on stop the batch being written finishes before the drain writes the rest. The writer holds at most two batches.
/// </remarks>
internal sealed partial class AnalyticsWriter
{
    // The write of the batch handed over last; completed when none is running. Never faults: PersistAsync catches.
    private Task _writing = Task.CompletedTask;

    /// <summary>
    /// Waits for the previous batch's write, then starts writing the one just filled and swaps in the empty one to fill.
    /// </summary>
    private async Task HandOverAsync(CancellationToken stoppingToken)
    {
        await _writing.ConfigureAwait(false);
        var full = _filling;
        _filling = _spare;
        _spare = full;

        // Hours and days are merged from the minutes here, on the folding thread, before the other thread reads them.
        full.Seal();
        _writing = Task.Run(() => WriteBatchAsync(full, stoppingToken), CancellationToken.None);
    }
}
