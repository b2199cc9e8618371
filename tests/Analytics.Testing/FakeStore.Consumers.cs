using Analytics.Storage;

namespace Analytics.Testing;

/// <summary><see cref="IConsumerRollupStore"/>: the per-consumer rollups, kept apart from the request rollups.</summary>
public partial class FakeStore
{
    private readonly Dictionary<RequestKey, RequestRollup> _consumerRollups = [];

    /// <summary>
    /// Adds request rollups as a batch would, each merged into the stored row with its key (release included): for query
    /// tests that need rows the pipeline does not build.
    /// </summary>
    public void AddRequestRollups(IEnumerable<RequestRollup> rollups)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        lock (_gate)
        {
            foreach (var rollup in rollups)
            {
                Stored(_requestRollups, RequestKey.Of(rollup), static k => k.Create()).Add(rollup);
            }
        }
    }

    /// <summary>Adds per-consumer rollups as a batch's <see cref="AnalyticsBatch.ConsumerRollups"/> would.</summary>
    public void AddConsumerRollups(IEnumerable<RequestRollup> rollups)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        lock (_gate)
        {
            AddConsumerRollupsLocked(rollups);
        }
    }

    IAsyncEnumerable<RequestRollup> IConsumerRollupStore.ReadConsumerRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
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

    /// <summary>Gets every per-consumer rollup read the store was asked, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<RollupQuery> ConsumerRollupQueries { get; } = new();

    private void AddConsumerRollupsLocked(IEnumerable<RequestRollup> rollups)
    {
        foreach (var rollup in rollups)
        {
            Stored(_consumerRollups, RequestKey.Of(rollup), static k => k.Create()).Add(rollup);
        }
    }
}
