namespace Analytics.Storage;

/// <summary>
/// A store that can commit raw rows ahead of their rollups, declared through <see cref="StoreCapabilities.RawAhead"/>.
/// While every request is kept raw (<see cref="RequestAnalyticsOptions.RawSampleRate"/> 1, the default) and under a
/// request rate that fills <see cref="RequestAnalyticsOptions.BatchSize"/> raw rows before a
/// <see cref="RequestAnalyticsOptions.FlushInterval"/> ends, the writer then commits each full set of raw rows on its own
/// (<see cref="AnalyticsBatch.RawAhead"/>) and the rollups of all of them once, when the interval ends, a flush is asked
/// for or the batch holds <see cref="RequestAnalyticsOptions.QueueCapacity"/> records
/// (<see cref="AnalyticsBatch.CatchesUp"/>), instead of upserting every rollup row again with every set of raw rows.
/// </summary>
/// <remarks>
/// <para>
/// A process that stops between the two commits (a crash, a kill) leaves raw rows whose rollups were never written. The
/// store keeps, in the same transactions, a record of where they begin: a <see cref="AnalyticsBatch.RawAhead"/> batch
/// adds it when there is none, and a <see cref="AnalyticsBatch.CatchesUp"/> batch removes it. When the writer starts,
/// it reads those rows back (<see cref="ReadRawAheadAsync"/>), folds them into rollups and writes them in a
/// <see cref="AnalyticsBatch.CatchesUp"/> batch before any other, so the rollups stay the sums of what was committed. It
/// does the same before its next write or flush when a batch with rollups was given up after its retries.
/// </para>
/// <para>
/// A store without it gets every batch's raw rows and rollups in one transaction, as before. Meant for a store that
/// one process writes: several writers sharing one record would fold one another's rows.
/// </para>
/// </remarks>
public interface IRawAheadStore
{
    /// <summary>
    /// Reads the raw requests and events committed ahead of rollups that were never committed, or
    /// <see langword="null"/> when there are none. Called by the writer when it starts, before any batch, and after a
    /// batch with rollups was given up; at most about <see cref="RequestAnalyticsOptions.QueueCapacity"/> rows.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<RawAheadRows?> ReadRawAheadAsync(CancellationToken cancellationToken);
}

/// <summary>Raw rows committed ahead of rollups that were never committed (<see cref="IRawAheadStore.ReadRawAheadAsync"/>).</summary>
/// <param name="Requests">The requests, as they were recorded.</param>
/// <param name="Events">The custom events, as they were recorded.</param>
public sealed record RawAheadRows(IReadOnlyList<RequestRecord> Requests, IReadOnlyList<EventRecord> Events);
