using System.Collections.Concurrent;
using Analytics.Rollups;

namespace Analytics.Queries;

/// <summary>
/// Identical request-rollup reads in flight at the same moment share one read. The dashboard asks for the overview,
/// the time series and the routes of the same range at once; each would otherwise read and decode the same rows, which
/// is most of what they cost. Nothing is kept once a read completes: a request gets rows read after it was made, or by
/// a read that was already running when it arrived, never an older answer.
/// </summary>
internal sealed partial class AnalyticsQueries
{
    private readonly ConcurrentDictionary<RollupQuery, Lazy<Task<RequestRollup[]>>> _inflight = new();

    private async Task<RequestRollup[]> ReadSharedAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        var read = _inflight.GetOrAdd(query, static (key, self) => new Lazy<Task<RequestRollup[]>>(() => self.ReadAndForgetAsync(key)), this);

        // The read itself is not cancelled with this request: another may be waiting on it. It is bounded by the
        // query's own cost, and this request stops waiting at once.
        return await read.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<RequestRollup[]> ReadAndForgetAsync(RollupQuery query)
    {
        try
        {
            var rows = new List<RequestRollup>();
            await foreach (var row in _store.ReadRequestRollupsAsync(query, CancellationToken.None).ConfigureAwait(false))
            {
                rows.Add(row);
            }

            return [.. rows];
        }
        finally
        {
            _inflight.TryRemove(query, out _);
        }
    }
}
