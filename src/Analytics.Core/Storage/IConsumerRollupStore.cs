namespace Analytics.Storage;

/// <summary>
/// The per-consumer rollups (<see cref="AnalyticsBatch.ConsumerRollups"/>): what a store declares through
/// <see cref="StoreCapabilities.Consumers"/> when it keeps them. Such a store writes a batch's consumer rollups in
/// <see cref="IAnalyticsStore.WriteBatchAsync"/>, adding each to the stored row with the same key (the request rollup's
/// key and <see cref="RequestRollup.Consumer"/>), and purges them with the other rollups in
/// <see cref="IAnalyticsStore.PurgeRollupsAsync"/>.
/// </summary>
public interface IConsumerRollupStore
{
    /// <summary>Reads per-consumer rollups, in no particular order.</summary>
    /// <param name="query">
    /// The granularity, the range of bucket starts and the filters, <see cref="RollupQuery.Consumer"/> included.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    IAsyncEnumerable<RequestRollup> ReadConsumerRollupsAsync(RollupQuery query, CancellationToken cancellationToken);
}
