using Analytics.Storage;
using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite;

/// <summary>
/// Keeps request_totals (schema 13): a batch's request rollup rows summed per granularity, bucket, kind and status
/// class in memory, then upserted once each, in the batch's transaction. A batch holds a few hundred rollup rows and
/// a handful of totals (a minute, an hour and a day, times the kinds and classes it saw), so this adds one sketch
/// merge per rollup row and a few statements per batch, not a statement per row.
/// </summary>
internal sealed class SqliteRequestTotals : IDisposable
{
    private readonly SqliteRollupUpsert _upsert;
    private readonly Dictionary<TotalKey, RequestRollup> _totals = [];

    public SqliteRequestTotals(SqliteConnection connection) => _upsert = new SqliteRollupUpsert(connection, totals: true);

    /// <summary>Adds <paramref name="rollups"/> to their totals; within the caller's transaction.</summary>
    public void Run(IReadOnlyList<RequestRollup> rollups)
    {
        if (rollups.Count == 0)
        {
            return;
        }

        try
        {
            foreach (var row in rollups)
            {
                var key = new TotalKey(row.Granularity, row.BucketStart, row.Kind, row.StatusCode / 100);
                if (!_totals.TryGetValue(key, out var total))
                {
                    total = new RequestRollup
                    {
                        Granularity = row.Granularity,
                        BucketStart = row.BucketStart,
                        Route = "",
                        Method = "",
                        StatusCode = key.StatusClass * 100,
                        Kind = row.Kind,
                    };
                    _totals.Add(key, total);
                }

                total.Add(row);
            }

            foreach (var total in _totals.Values)
            {
                _upsert.Run(total);
            }
        }
        finally
        {
            _totals.Clear();
        }
    }

    public void Dispose() => _upsert.Dispose();

    private readonly record struct TotalKey(Granularity Granularity, DateTimeOffset BucketStart, RequestKind Kind, int StatusClass);
}
