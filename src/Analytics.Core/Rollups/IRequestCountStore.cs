using System.Runtime.CompilerServices;

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

    /// <summary>
    /// Reads the latest bucket of every route and method that has rows, in no particular order. Added after the first
    /// release, so it has a body: a store written against that release keeps compiling, and this one adds up its own
    /// rollup rows (when it is an <see cref="IAnalyticsStore"/>, as every store that offers this is) until it sums them
    /// in the database.
    /// </summary>
    /// <param name="query">The granularity, the range of bucket starts and the filters; the sketch flags are ignored.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One bucket per route and method.</returns>
    /// <exception cref="NotSupportedException">This store is not an <see cref="IAnalyticsStore"/> and does not override this.</exception>
    IAsyncEnumerable<RouteBucket> ReadLatestBucketsByRouteAsync(RollupQuery query, CancellationToken cancellationToken) =>
        this is IAnalyticsStore store
            ? LatestBucketsFromRowsAsync(store, query, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} neither is an {nameof(IAnalyticsStore)} nor reads the latest bucket per route.");

    private static async IAsyncEnumerable<RouteBucket> LatestBucketsFromRowsAsync(
        IAnalyticsStore store, RollupQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var latest = new Dictionary<(string Route, string Method), DateTimeOffset>();
        var rows = query with { IncludeSketches = false, IncludeCardinality = false, BucketTotals = false, BucketTotalsByRelease = false };
        await foreach (var row in store.ReadRequestRollupsAsync(rows, cancellationToken).ConfigureAwait(false))
        {
            var key = (row.Route, row.Method);
            if (!latest.TryGetValue(key, out var seen) || row.BucketStart > seen)
            {
                latest[key] = row.BucketStart;
            }
        }

        foreach (var ((route, method), bucket) in latest)
        {
            yield return new RouteBucket(route, method, bucket);
        }
    }
}
