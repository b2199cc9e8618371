
namespace Analytics.Storage;

/// <summary>
/// Request counts summed by the database instead of read row by row: what the heatmap (counts per bucket), the
/// status-code breakdown (counts per code) and the endpoint catalog's last-seen times (latest bucket per route) need.
/// A store that implements this beside <see cref="IAnalyticsStore"/> answers those queries without materializing every
/// rollup row; without it they add up <see cref="IAnalyticsStore.ReadRequestRollupsAsync"/> themselves, with the same
/// result.
/// </summary>
public interface IRequestCountStore
{
    /// <summary>Reads the total request count of every bucket that has rows, in no particular order.</summary>
    /// <param name="query">The granularity, the range of bucket starts and the filters; the sketch flags are ignored.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    IAsyncEnumerable<BucketCount> ReadRequestCountsByBucketAsync(RollupQuery query, CancellationToken cancellationToken);

    /// <summary>Reads the total request count of every status code that has rows, in no particular order.</summary>
    /// <param name="query">The granularity, the range of bucket starts and the filters; the sketch flags are ignored.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    IAsyncEnumerable<StatusCodeCount> ReadRequestCountsByStatusAsync(RollupQuery query, CancellationToken cancellationToken);

    /// <summary>Reads the latest bucket of every route and method that has rows, in no particular order.</summary>
    /// <param name="query">The granularity, the range of bucket starts and the filters; the sketch flags are ignored.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    IAsyncEnumerable<RouteBucket> ReadLatestBucketsByRouteAsync(RollupQuery query, CancellationToken cancellationToken);
}
