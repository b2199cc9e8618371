
namespace Analytics.Storage;

/// <summary>
/// Where analytics data is persisted. Small and async-only; one implementation per database. Every implementation
/// passes the same conformance suite. Methods may be called concurrently, except that <see cref="WriteBatchAsync"/>
/// is only ever called by the single background writer.
/// </summary>
public interface IAnalyticsStore
{
    /// <summary>
    /// Gets what the store supports beyond this interface. Read once, when the host starts. The default is
    /// <see cref="StoreCapabilities.None"/>.
    /// </summary>
    StoreCapabilities Capabilities => StoreCapabilities.None;

    /// <summary>Creates or migrates the schema. Called before the first write; safe to call again.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Persists a batch in one transaction: all of it, or (by throwing) none of it. A batch whose write threw is written
    /// again with the same <see cref="AnalyticsBatch.Id"/>; a store whose commit can succeed although the call throws
    /// (its acknowledgement lost on the network) must then write nothing the second time.
    /// </summary>
    /// <param name="batch">The batch; its lists are reused by the caller once this returns, so do not keep them.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken);

    /// <summary>Reads raw requests, newest first (by timestamp, then id).</summary>
    /// <param name="query">The time range, the filters and the page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken);

    /// <summary>Reads raw custom events, newest first (by timestamp, then id).</summary>
    /// <param name="query">The time range, the filters and the page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken);

    /// <summary>Reads request rollups.</summary>
    /// <param name="query">The granularity, the range of bucket starts and the filters.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken);

    /// <summary>Reads custom-event rollups.</summary>
    /// <param name="query">The granularity, the range of bucket starts and the filters.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken);

    /// <summary>Reads error rollups.</summary>
    /// <param name="query">The granularity, the range of bucket starts and the filters.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes at most <paramref name="maxRows"/> raw rows (requests, then events) older than <paramref name="cutoff"/>.
    /// Retention calls this repeatedly until it returns less than <paramref name="maxRows"/>, so that no call holds the
    /// write lock for long. May run concurrently with <see cref="WriteBatchAsync"/>.
    /// </summary>
    /// <param name="cutoff">Rows with a timestamp strictly before this are deleted.</param>
    /// <param name="maxRows">The most rows to delete in this call; positive.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many rows were deleted.</returns>
    Task<int> PurgeRawAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes at most <paramref name="maxRows"/> rollup rows (of every kind) of one granularity whose bucket starts
    /// before <paramref name="cutoff"/>. Called like <see cref="PurgeRawAsync"/>.
    /// </summary>
    /// <param name="granularity">The granularity to purge; the others are not touched.</param>
    /// <param name="cutoff">Buckets starting strictly before this are deleted.</param>
    /// <param name="maxRows">The most rows to delete in this call; positive.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many rows were deleted.</returns>
    Task<int> PurgeRollupsAsync(Granularity granularity, DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken);

    /// <summary>Checks that the store can be reached; throws when it cannot.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task PingAsync(CancellationToken cancellationToken);
}
