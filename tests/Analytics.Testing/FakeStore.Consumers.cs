using Analytics.Storage;

namespace Analytics.Testing;

/// <summary>Rollups put in directly, for query tests, and the per-consumer reads asked.</summary>
public partial class FakeStore
{
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
            foreach (var rollup in rollups)
            {
                Stored(_consumerRollups, RequestKey.Of(rollup), static k => k.Create()).Add(rollup);
            }
        }
    }

    /// <summary>Gets every per-consumer rollup read the store was asked, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<RollupQuery> ConsumerRollupQueries { get; } = new();
}
