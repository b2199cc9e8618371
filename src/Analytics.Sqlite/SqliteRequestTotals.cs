using Analytics.Sql;
using Analytics.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Analytics.Sqlite;

/// <summary>
/// Keeps request_totals (schemas 13 and 15) or consumer_totals (schema 14): a batch's request rollup rows grouped per
/// granularity, bucket, kind, status class and release (or its per-consumer rollup rows per granularity, bucket, kind
/// and consumer), and added to their total with one UPDATE each, in the batch's transaction; an INSERT only for a bucket's
/// first batch. The UPDATE merges each row's sketches straight into what this writer last stored in that total, kept in
/// memory as <see cref="SqliteRollupUpsert"/> keeps its hour and day rows: the first version summed the rows into new
/// sketches first and merged those, which made every total's cardinality sketch dense, 8 KB a total a batch
/// (IngestBenchmarks: 820 to 987 B allocated a record). Consumer totals have no cardinality sketches, as the
/// per-consumer rollups have none.
/// </summary>
internal sealed class SqliteRequestTotals : IDisposable
{
    private const int MaxCachedTotals = 1_024;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _update;
    private readonly sqlite3_stmt _insert;
    private readonly bool _perConsumer;
    private readonly Dictionary<TotalKey, List<RequestRollup>> _batch = [];

    // What this writer last stored in each total, so that a merge that finds exactly those bytes stored merges into the
    // sketch in memory; anything else (another process, a rolled-back batch) is decoded. Emptied past MaxCachedTotals.
    private readonly StoredSketchCache<TotalKey> _stored = new(MaxCachedTotals);

    // The rows being added and their total's cache entry, read by the merge functions during the UPDATE's step.
    private List<RequestRollup>? _rows;
    private StoredSketches? _current;

    private SqliteRequestTotals(SqliteConnection connection, string table, bool perConsumer)
    {
        _db = connection.Handle!;
        _perConsumer = perConsumer;
        string mergeLatency = $"analytics_{table}_latency_merge";
        string mergeCardinality = $"analytics_{table}_hll_merge";
        connection.CreateFunction<SqliteRequestTotals, byte[]?, byte[]?>(
            mergeLatency, this, static (self, stored) => self.MergeLatency(stored), isDeterministic: false);
        // ?4 is the status class and ?16 the release of a request total; ?16 the consumer of a consumer total.
        string key = perConsumer ? "consumer = ?16" : "status_class = ?4 AND release = ?16";
        string keyColumns = perConsumer ? "consumer" : "status_class, release";
        string keyValues = perConsumer ? "?16" : "?4, ?16";
        string cardinalitySet = "";
        string cardinalityColumns = "";
        string cardinalityValues = "";
        if (!perConsumer)
        {
            connection.CreateFunction<SqliteRequestTotals, byte[]?, long, byte[]?>(
                mergeCardinality, this, static (self, stored, column) => self.MergeCardinality(stored, (int)column), isDeterministic: false);
            cardinalitySet = $", users = {mergeCardinality}(users, 0), clients = {mergeCardinality}(clients, 1), " +
                $"consumers = {mergeCardinality}(consumers, 2)";
            cardinalityColumns = ", users, clients, consumers";
            cardinalityValues = ", ?13, ?14, ?15";
        }

        _update = SqliteStatements.Prepare(_db, $"""
            UPDATE {table} SET count = count + ?5, errors = errors + ?6, duration_sum_us = duration_sum_us + ?7,
                duration_min_us = min(duration_min_us, ?8), duration_max_us = max(duration_max_us, ?9),
                request_bytes = request_bytes + ?10, response_bytes = response_bytes + ?11,
                latency = {mergeLatency}(latency){cardinalitySet}
            WHERE granularity = ?1 AND bucket_start = ?2 AND kind = ?3 AND {key};
            """);
        _insert = SqliteStatements.Prepare(_db, $"""
            INSERT INTO {table} (granularity, bucket_start, kind, {keyColumns}, count, errors, duration_sum_us, duration_min_us,
                duration_max_us, request_bytes, response_bytes, latency{cardinalityColumns})
            VALUES (?1, ?2, ?3, {keyValues}, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12{cardinalityValues});
            """);
    }

    /// <summary>Keeps request_totals from the request rollups.</summary>
    public static SqliteRequestTotals ForRequests(SqliteConnection connection) => new(connection, "request_totals", perConsumer: false);

    /// <summary>Keeps consumer_totals from the per-consumer rollups.</summary>
    public static SqliteRequestTotals ForConsumers(SqliteConnection connection) => new(connection, "consumer_totals", perConsumer: true);

    /// <summary>Adds <paramref name="rollups"/> to their totals; within the caller's transaction.</summary>
    public void Run(IReadOnlyList<RequestRollup> rollups)
    {
        try
        {
            foreach (var row in rollups)
            {
                long bucket = StoreRows.ToUnixMicroseconds(row.BucketStart);
                var key = _perConsumer
                    ? new TotalKey(row.Granularity, bucket, row.Kind, 0, row.Consumer ?? string.Empty)
                    : new TotalKey(row.Granularity, bucket, row.Kind, row.StatusCode / 100, row.Release ?? string.Empty);
                if (!_batch.TryGetValue(key, out var rows))
                {
                    _batch.Add(key, rows = []);
                }

                rows.Add(row);
            }

            foreach (var (key, rows) in _batch)
            {
                Add(key, rows);
            }
        }
        finally
        {
            _batch.Clear();
            _rows = null;
            _current = null;
        }
    }

    public void Dispose()
    {
        _update.Dispose();
        _insert.Dispose();
    }

    private void Add(TotalKey key, List<RequestRollup> rows)
    {
        var sum = new RequestRollup
        {
            Granularity = key.Granularity, BucketStart = rows[0].BucketStart, Route = "", Method = "", StatusCode = key.StatusClass * 100,
        };
        foreach (var row in rows)
        {
            bool first = sum.Count == 0;
            sum.Count += row.Count;
            sum.Errors += row.Errors;
            sum.DurationSumMicroseconds += row.DurationSumMicroseconds;
            sum.DurationMinMicroseconds = first ? row.DurationMinMicroseconds : Math.Min(sum.DurationMinMicroseconds, row.DurationMinMicroseconds);
            sum.DurationMaxMicroseconds = first ? row.DurationMaxMicroseconds : Math.Max(sum.DurationMaxMicroseconds, row.DurationMaxMicroseconds);
            sum.RequestBytes += row.RequestBytes;
            sum.ResponseBytes += row.ResponseBytes;
        }

        _rows = rows;
        _current = _stored.Get(key);
        if (Step(_update, key, sum, sketches: false) > 0)
        {
            return;
        }

        // The bucket's first batch: its total starts as the merge of these rows' sketches.
        foreach (var row in rows)
        {
            sum.Latency = Merge(sum.Latency, row.Latency);
            sum.Users = Merge(sum.Users, row.Users);
            sum.Clients = Merge(sum.Clients, row.Clients);
            sum.Consumers = Merge(sum.Consumers, row.Consumers);
        }

        Step(_insert, key, sum, sketches: true);
    }

    /// <summary>Binds the key and the sums (and for the INSERT the sketches), runs the statement, and returns the rows it changed.</summary>
    private int Step(sqlite3_stmt statement, TotalKey key, RequestRollup sum, bool sketches)
    {
        try
        {
            Check(raw.sqlite3_bind_int(statement, 1, (int)key.Granularity));
            Check(raw.sqlite3_bind_int64(statement, 2, key.BucketStart));
            Check(raw.sqlite3_bind_int(statement, 3, (int)key.Kind));
            Check(raw.sqlite3_bind_int(statement, 4, key.StatusClass));
            Check(raw.sqlite3_bind_text(statement, 16, key.Text));
            Check(raw.sqlite3_bind_int64(statement, 5, sum.Count));
            Check(raw.sqlite3_bind_int64(statement, 6, sum.Errors));
            Check(raw.sqlite3_bind_int64(statement, 7, sum.DurationSumMicroseconds));
            Check(raw.sqlite3_bind_int64(statement, 8, sum.DurationMinMicroseconds));
            Check(raw.sqlite3_bind_int64(statement, 9, sum.DurationMaxMicroseconds));
            Check(raw.sqlite3_bind_int64(statement, 10, sum.RequestBytes));
            Check(raw.sqlite3_bind_int64(statement, 11, sum.ResponseBytes));
            if (sketches)
            {
                var latency = (sum.Latency ?? new LatencySketch()).ToBytes();
                Check(raw.sqlite3_bind_blob(statement, 12, latency));
                byte[]?[] cardinality = [sum.Users?.ToBytes(), sum.Clients?.ToBytes(), sum.Consumers?.ToBytes()];
                for (int c = 0; !_perConsumer && c < cardinality.Length; c++) // per-consumer rows have none
                {
                    Check(cardinality[c] is { } bytes ? raw.sqlite3_bind_blob(statement, 13 + c, bytes) : raw.sqlite3_bind_null(statement, 13 + c));
                }

                _current!.Latency = sum.Latency;
                _current.LatencyBytes = latency;
                _current.Cardinality[0] = sum.Users;
                _current.Cardinality[1] = sum.Clients;
                _current.Cardinality[2] = sum.Consumers;
                cardinality.CopyTo(_current.CardinalityBytes, 0);
            }

            SqliteStatements.StepToDone(_db, statement);
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    /// <summary>The stored latency sketch with every row's merged in (a damaged one is replaced, as the rollups' upsert does).</summary>
    private byte[]? MergeLatency(byte[]? stored)
    {
        if (_rows is not { } rows || _current is not { } cache)
        {
            return stored; // not this writer's call
        }

        var sketch = StoredSketches.LatencyOf(cache, stored) ?? new LatencySketch();
        foreach (var row in rows)
        {
            if (row.Latency is { } latency)
            {
                sketch.Merge(latency);
            }
        }

        return StoredSketches.KeepLatency(cache, sketch);
    }

    /// <summary>The stored cardinality sketch of <paramref name="column"/> (users, clients, consumers) with every row's merged in.</summary>
    private byte[]? MergeCardinality(byte[]? stored, int column)
    {
        if (_rows is not { } rows || _current is not { } cache || !rows.Exists(row => Cardinality(row, column) is not null))
        {
            return stored;
        }

        var sketch = StoredSketches.CardinalityOf(cache, stored, column) ?? new CardinalitySketch();
        foreach (var row in rows)
        {
            if (Cardinality(row, column) is { } added)
            {
                sketch.Merge(added);
            }
        }

        return StoredSketches.KeepCardinality(cache, column, sketch);
    }

    private static CardinalitySketch? Cardinality(RequestRollup row, int column) => column switch
    {
        0 => row.Users,
        1 => row.Clients,
        _ => row.Consumers,
    };

    private static LatencySketch? Merge(LatencySketch? total, LatencySketch? added)
    {
        if (added is not null)
        {
            (total ??= new LatencySketch()).Merge(added);
        }

        return total;
    }

    private static CardinalitySketch? Merge(CardinalitySketch? total, CardinalitySketch? added)
    {
        if (added is not null)
        {
            (total ??= new CardinalitySketch()).Merge(added);
        }

        return total;
    }

    private static void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite refused a parameter of the request-totals statements ({result}).");
        }
    }

    /// <summary>
    /// A total's key: in request_totals with its status class and its release (<paramref name="Text"/>), in
    /// consumer_totals with its consumer.
    /// </summary>
    private readonly record struct TotalKey(Granularity Granularity, long BucketStart, RequestKind Kind, int StatusClass, string Text);
}
