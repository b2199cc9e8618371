using Analytics.Sql;
using Analytics.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Analytics.Sqlite;

/// <summary>
/// The request-rollup upsert, a few hundred statements a batch (minutes, hours and days of every route and status the
/// batch saw), and the same for the per-consumer rollups (<see cref="ForConsumers"/>: the consumer in the key, no
/// cardinality sketches; with 70 % of the requests naming one of 8 consumers, a quarter less allocated a record than
/// through Microsoft.Data.Sqlite's upsert, ingest-split with ANALYTICS_BENCH_CONSUMERS=8). It binds by index through
/// SQLitePCLRaw as <see cref="SqliteRequestInsert"/> does, and on a conflict it merges the stored sketches with the
/// row's own sketches as they are in memory, through functions registered for this statement, instead of decoding the
/// encoded copy it just bound: an hour or day row conflicts on every batch. Both measured in IngestBenchmarks (issue
/// 26): Microsoft.Data.Sqlite looks each of the 20 parameters up by name and allocates on each execution, and each
/// merge decoded both sketches before encoding the result. It also keeps what it last stored in each hour and day row,
/// so that the stored sketch is not decoded either while nobody else wrote it.
/// </summary>
internal sealed class SqliteRollupUpsert : IDisposable
{
    private const int MaxCachedRows = 1_024;

    private static readonly byte[] EmptyLatency = new LatencySketch().ToBytes();

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly bool _perConsumer;

    // What this writer last stored in each hour and day row (they conflict on every batch), so that a merge that finds
    // exactly those bytes stored merges into the sketch in memory instead of decoding them again. A row changed by
    // another process or rolled back no longer matches and is decoded. Bounded: emptied past MaxCachedRows.
    private readonly StoredSketchCache<RowKey> _stored = new(MaxCachedRows);

    // The row being executed and its cache entry (null for a minute row), read by the merge functions, which SQLite
    // calls during its step on this thread.
    private RequestRollup? _current;
    private StoredSketches? _currentStored;

    private SqliteRollupUpsert(SqliteConnection connection, string table, bool perConsumer)
    {
        _db = connection.Handle!;
        _perConsumer = perConsumer;
        string mergeLatency = $"analytics_{table}_latency_merge";
        string mergeCardinality = $"analytics_{table}_hll_merge";
        connection.CreateFunction<SqliteRollupUpsert, byte[]?, byte[]?, byte[]?>(
            mergeLatency, this, static (self, stored, added) => self.MergeLatency(stored, added), isDeterministic: false);
        string cardinalityColumns = "";
        string cardinalityValues = "";
        string cardinalitySet = "";
        if (!perConsumer)
        {
            connection.CreateFunction<SqliteRollupUpsert, byte[]?, byte[]?, long, byte[]?>(
                mergeCardinality,
                this,
                static (self, stored, added, column) => self.MergeCardinality(stored, added, column),
                isDeterministic: false);
            cardinalityColumns = ", users, clients, consumers";
            cardinalityValues = ", ?18, ?19, ?20";
            cardinalitySet = $"""
                ,
                    users = {mergeCardinality}(users, excluded.users, 0),
                    clients = {mergeCardinality}(clients, excluded.clients, 1),
                    consumers = {mergeCardinality}(consumers, excluded.consumers, 2)
                """;
        }

        // ?21 is a per-consumer row's consumer.
        var (consumer, consumerValue) = perConsumer ? (", consumer", ", ?21") : ("", "");
        string sql = $"""
            INSERT INTO {table} (granularity, bucket_start, route, method, status, environment, instance, kind, release{consumer},
                count, errors, duration_sum_us, duration_min_us, duration_max_us, request_bytes, response_bytes, latency{cardinalityColumns})
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9{consumerValue}, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17{cardinalityValues})
            ON CONFLICT (granularity, bucket_start, route, method, status, environment, instance, kind, release{consumer}) DO UPDATE SET
                count = count + excluded.count,
                errors = errors + excluded.errors,
                duration_sum_us = duration_sum_us + excluded.duration_sum_us,
                duration_min_us = min(duration_min_us, excluded.duration_min_us),
                duration_max_us = max(duration_max_us, excluded.duration_max_us),
                request_bytes = request_bytes + excluded.request_bytes,
                response_bytes = response_bytes + excluded.response_bytes,
                latency = {mergeLatency}(latency, excluded.latency){cardinalitySet};
            """;
        _statement = SqliteStatements.Prepare(_db, sql);
    }

    /// <summary>Upserts request rollups into request_rollups.</summary>
    public static SqliteRollupUpsert ForRequests(SqliteConnection connection) => new(connection, "request_rollups", perConsumer: false);

    /// <summary>Upserts per-consumer rollups into consumer_rollups.</summary>
    public static SqliteRollupUpsert ForConsumers(SqliteConnection connection) => new(connection, "consumer_rollups", perConsumer: true);

    public void Run(RequestRollup r)
    {
        var s = _statement;
        _current = r;
        _currentStored = r.Granularity == Granularity.Minute
            ? null
            : _stored.Get(new RowKey(
                r.Granularity, r.BucketStart, r.Route, r.Method, r.StatusCode, r.Environment, r.Instance, r.Kind, r.Release, r.Consumer));
        try
        {
            Check(raw.sqlite3_bind_int(s, 1, (int)r.Granularity));
            Check(raw.sqlite3_bind_int64(s, 2, StoreRows.ToUnixMicroseconds(r.BucketStart)));
            Check(raw.sqlite3_bind_text16(s, 3, r.Route));
            Check(raw.sqlite3_bind_text16(s, 4, r.Method));
            Check(raw.sqlite3_bind_int(s, 5, r.StatusCode));
            Check(raw.sqlite3_bind_text16(s, 6, r.Environment ?? string.Empty));
            Check(raw.sqlite3_bind_text16(s, 7, r.Instance ?? string.Empty));
            Check(raw.sqlite3_bind_int(s, 8, (int)r.Kind));
            Check(raw.sqlite3_bind_text16(s, 9, r.Release ?? string.Empty));
            Check(raw.sqlite3_bind_int64(s, 10, r.Count));
            Check(raw.sqlite3_bind_int64(s, 11, r.Errors));
            Check(raw.sqlite3_bind_int64(s, 12, r.DurationSumMicroseconds));
            Check(raw.sqlite3_bind_int64(s, 13, r.DurationMinMicroseconds));
            Check(raw.sqlite3_bind_int64(s, 14, r.DurationMaxMicroseconds));
            Check(raw.sqlite3_bind_int64(s, 15, r.RequestBytes));
            Check(raw.sqlite3_bind_int64(s, 16, r.ResponseBytes));
            Check(raw.sqlite3_bind_blob(s, 17, r.Latency?.ToBytes() ?? EmptyLatency));
            if (_perConsumer)
            {
                Check(raw.sqlite3_bind_text16(s, 21, r.Consumer ?? string.Empty));
            }
            else
            {
                Blob(s, 18, r.Users);
                Blob(s, 19, r.Clients);
                Blob(s, 20, r.Consumers);
            }
            SqliteStatements.StepToDone(_db, s);
        }
        finally
        {
            raw.sqlite3_reset(s);
            _current = null;
            _currentStored = null;
        }
    }

    public void Dispose() => _statement.Dispose();

    private static void Blob(sqlite3_stmt statement, int index, CardinalitySketch? sketch) =>
        Check(sketch is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_blob(statement, index, sketch.ToBytes()));

    private static void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite refused a parameter of the request-rollup upsert ({result}).");
        }
    }

    /// <summary>As <see cref="SqliteWriter.MergeSketches"/>, with the added sketch taken from the row in memory.</summary>
    private byte[]? MergeLatency(byte[]? stored, byte[]? added)
    {
        if (stored is null || _current is not { } row)
        {
            return stored is null ? added : SqliteWriter.MergeSketches(stored, added ?? EmptyLatency); // not this statement's call
        }

        if (row.Latency is not { } latency)
        {
            return stored;
        }

        // A damaged stored sketch is replaced, as StoreRows.MergeIntoStored does.
        var cache = _currentStored;
        var sketch = StoredSketches.LatencyOf(cache, stored);
        if (sketch is null)
        {
            return latency.ToBytes(); // not cached: the row's own sketch is not this cache's to merge into later
        }

        sketch.Merge(latency);
        return StoredSketches.KeepLatency(cache, sketch);
    }

    /// <summary>As <see cref="StoreRows.MergeCardinalityIntoStored"/>, with the added sketch taken from the row in memory.</summary>
    private byte[]? MergeCardinality(byte[]? stored, byte[]? added, long column)
    {
        if (stored is null || added is null)
        {
            return added ?? stored;
        }

        var sketch = column switch
        {
            0 => _current?.Users,
            1 => _current?.Clients,
            _ => _current?.Consumers,
        };
        if (sketch is null)
        {
            return StoreRows.MergeCardinalityIntoStored(stored, added); // not this statement's call
        }

        // A damaged stored sketch is replaced, as StoreRows.MergeCardinalityIntoStored does.
        var c = (int)column;
        var merged = StoredSketches.CardinalityOf(_currentStored, stored, c);
        if (merged is null)
        {
            return added;
        }

        merged.Merge(sketch);
        return StoredSketches.KeepCardinality(_currentStored, c, merged);
    }

    private readonly record struct RowKey(
        Granularity Granularity,
        DateTimeOffset BucketStart,
        string Route,
        string Method,
        int StatusCode,
        string? Environment,
        string? Instance,
        RequestKind Kind,
        string? Release,
        string? Consumer);
}
