using Analytics.Storage;

namespace Analytics.Testing;

/// <summary>
/// <see cref="IRequestCountStore"/>: request counts per bucket and per status code, latest buckets per route; <see cref="IConsumerRollupStore"/>: the
/// per-consumer rollups.
/// </summary>
public partial class FakeStore
{
    IAsyncEnumerable<BucketCount> IRequestCountStore.ReadRequestCountsByBucketAsync(
        RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRequestRollups(query)
            .GroupBy(r => r.BucketStart)
            .Select(g => new BucketCount(g.Key, g.Sum(r => r.Count)))
            .ToList()
            .ToAsyncEnumerable();
    }

    IAsyncEnumerable<StatusCodeCount> IRequestCountStore.ReadRequestCountsByStatusAsync(
        RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRequestRollups(query)
            .GroupBy(r => r.StatusCode)
            .Select(g => new StatusCodeCount { StatusCode = g.Key, Count = g.Sum(r => r.Count) })
            .ToList()
            .ToAsyncEnumerable();
    }

    // IRequestCountStore.ReadLatestBucketsByRouteAsync is not implemented here on purpose: the fake answers it with the
    // interface's own body, as a store written before that member was added does, and the conformance suite checks it.

    IAsyncEnumerable<RequestRollup> IConsumerRollupStore.ReadConsumerRollupsAsync(
        RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ConsumerRollupQueries.Enqueue(query);
        lock (_gate)
        {
            return _consumerRollups.Values
                .Where(r => Matches(query, r))
                .Select(r => Copy(r, query.IncludeSketches, query.IncludeCardinality))
                .ToList()
                .ToAsyncEnumerable();
        }
    }
}
