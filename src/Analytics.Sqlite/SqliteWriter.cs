using Analytics.Sql;
using Analytics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Analytics.Sqlite;

/// <summary>
/// The store's one writer connection and its prepared commands, created together and thrown away together. Every row
/// reuses the same command and parameter objects: only their values change.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    internal const string RequestColumns = StoreRows.RequestColumns + ", " + StoreRows.ConsumerReleaseColumns;

    internal const string EventColumns = StoreRows.EventColumns + ", " + StoreRows.ConsumerReleaseColumns;

    /// <summary>Merges two encoded sketches inside SQLite, so an upsert adds to the stored sketch in one statement.</summary>
    internal const string MergeFunction = "analytics_sketch_merge";

    // The writer gives its core up after every 128 statements of a batch (a mask: 128 − 1); see WriteCore.
    private const int YieldEvery = 127;

    private readonly SqliteConnection _connection;
    private readonly SqliteRequestInsert _insertRequest;
    private readonly Insert _insertEvent;
    private readonly SqliteRollupUpsert _upsertRequestRollup;
    private readonly SqliteRequestTotals _upsertRequestTotals;
    private readonly SqliteRequestTotals _upsertConsumerTotals;
    private readonly SqliteRollupUpsert _upsertConsumerRollup;
    private readonly Insert _upsertErrorRollup;
    private readonly Insert _upsertEventRollup;
    private readonly Insert _upsertErrorGroup;
    private readonly Insert _upsertHealthRollup;
    private readonly Insert _insertOutbox;
    private readonly Insert _markRawAhead;
    private readonly Insert _clearRawAhead;
    private readonly SqliteCheckpointer _checkpointer;

    private SqliteWriter(SqliteConnection connection, string connectionString, ILogger? logger)
    {
        _connection = connection;
        _insertRequest = new SqliteRequestInsert(connection);
        _insertEvent = Insert.Prepare(connection, $"INSERT INTO events ({EventColumns[4..]}) VALUES ({Parameters(EventColumns[4..])});");
        _upsertRequestRollup = SqliteRollupUpsert.ForRequests(connection);
        _upsertRequestTotals = SqliteRequestTotals.ForRequests(connection);
        _upsertConsumerTotals = SqliteRequestTotals.ForConsumers(connection);
        _upsertConsumerRollup = SqliteRollupUpsert.ForConsumers(connection);
        _upsertErrorRollup = Insert.Prepare(connection, """
            INSERT INTO error_rollups (granularity, bucket_start, route, method, status, exception_type, fingerprint, environment, instance, kind,
                count, first_seen, last_seen, last_message)
            VALUES ($granularity, $bucket_start, $route, $method, $status, $exception_type, $fingerprint, $environment, $instance, $kind,
                $count, $first_seen, $last_seen, $last_message)
            ON CONFLICT (granularity, bucket_start, route, method, status, exception_type, fingerprint, environment, instance, kind) DO UPDATE SET
                count = count + excluded.count,
                first_seen = min(first_seen, excluded.first_seen),
                last_message = CASE WHEN excluded.last_seen >= last_seen THEN excluded.last_message ELSE last_message END,
                last_seen = max(last_seen, excluded.last_seen);
            """);
        _upsertEventRollup = Insert.Prepare(connection, """
            INSERT INTO event_rollups (granularity, bucket_start, name, environment, instance, count, successes, failures, duration)
            VALUES ($granularity, $bucket_start, $name, $environment, $instance, $count, $successes, $failures, $duration)
            ON CONFLICT (granularity, bucket_start, name, environment, instance) DO UPDATE SET
                count = count + excluded.count,
                successes = successes + excluded.successes,
                failures = failures + excluded.failures,
                duration = CASE
                    WHEN duration IS NULL THEN excluded.duration
                    WHEN excluded.duration IS NULL THEN duration
                    ELSE analytics_sketch_merge(duration, excluded.duration) END;
            """);
        // A group resolved before this occurrence reopens as regressed; one that is open keeps its flag. Every SET
        // expression reads the row as it was before the update.
        _upsertErrorGroup = Insert.Prepare(connection,
            "INSERT INTO error_groups (fingerprint, route, method, status, exception_type, message, count, " +
            "first_seen, last_seen, severity, resolved_at, regressed)\n" +
            """
            VALUES ($fingerprint, $route, $method, $status, $exception_type, $message, $count, $first_seen, $last_seen, $severity, NULL, 0)
            ON CONFLICT (fingerprint) DO UPDATE SET
                count = count + excluded.count,
                first_seen = min(first_seen, excluded.first_seen),
                route = CASE WHEN excluded.last_seen >= last_seen THEN excluded.route ELSE route END,
                method = CASE WHEN excluded.last_seen >= last_seen THEN excluded.method ELSE method END,
                status = CASE WHEN excluded.last_seen >= last_seen THEN excluded.status ELSE status END,
                exception_type = CASE WHEN excluded.last_seen >= last_seen THEN excluded.exception_type ELSE exception_type END,
                message = CASE WHEN excluded.last_seen >= last_seen THEN excluded.message ELSE message END,
                severity = CASE WHEN excluded.last_seen >= last_seen THEN excluded.severity ELSE severity END,
                last_seen = max(last_seen, excluded.last_seen),
                regressed = CASE WHEN resolved_at IS NOT NULL AND excluded.last_seen > resolved_at THEN 1 ELSE regressed END,
                resolved_at = CASE WHEN resolved_at IS NOT NULL AND excluded.last_seen > resolved_at THEN NULL ELSE resolved_at END;
            """);
        _upsertHealthRollup = Insert.Prepare(connection, """
            INSERT INTO health_rollups (granularity, bucket_start, instance, metric, count, sum, min, max)
            VALUES ($granularity, $bucket_start, $instance, $metric, $count, $sum, $min, $max)
            ON CONFLICT (granularity, bucket_start, instance, metric) DO UPDATE SET
                count = count + excluded.count, sum = sum + excluded.sum, min = min(min, excluded.min), max = max(max, excluded.max);
            """);
        _insertOutbox = Insert.Prepare(connection, """
            INSERT INTO webhook_outbox (id, subscription_id, event_type, payload, created_at, next_attempt_at, attempts, deliveries, state)
            VALUES ($id, $subscription_id, $event_type, $payload, $created_at, $next_attempt_at, $attempts, $deliveries, $state);
            """);
        // Before the batch's own rows: everything up to the current last ids was folded into committed rollups, or is in
        // a raw_ahead row already there, which stays (IRawAheadStore).
        _markRawAhead = Insert.Prepare(connection, """
            INSERT OR IGNORE INTO raw_ahead (id, requests_after, events_after)
            VALUES (1, coalesce((SELECT max(id) FROM request_rows), 0), coalesce((SELECT max(id) FROM events), 0));
            """);
        _clearRawAhead = Insert.Prepare(connection, "DELETE FROM raw_ahead;");
        _checkpointer = new SqliteCheckpointer(connectionString, logger); // last: its thread starts with it
    }

    /// <summary>Gets the connection, for the statements that run too seldom to keep prepared; only while holding the store's write lock.</summary>
    public SqliteConnection Connection => _connection;

    public static SqliteWriter Open(string connectionString, string filePath, ILogger? logger = null)
    {
        var directory = Path.GetDirectoryName(filePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using (var pragma = connection.CreateCommand())
            {
                // WAL lets readers run beside the writer; NORMAL syncs at checkpoints only, which in WAL mode can
                // lose the last commits on power loss but never corrupts the file. secure_delete FAST zeroes what a
                // change frees inside the pages it writes anyway (no extra I/O), so a webhook secret rewritten in its
                // protected form leaves no plain copy in the page's free space. Checkpoints run beside the writer, not in
                // its commits (SqliteCheckpointer).
                pragma.CommandText =
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = FAST; " +
                    "PRAGMA wal_autocheckpoint = 0;";
                pragma.ExecuteNonQuery();
            }

            connection.CreateFunction<byte[], byte[], byte[]>(MergeFunction, MergeSketches, isDeterministic: true);
            SqliteSchema.Migrate(connection);
            return new SqliteWriter(connection, connectionString, logger);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Write(AnalyticsBatch batch)
    {
        try
        {
            WriteCore(batch);
        }
        catch
        {
            // The batch rolled back, and with it any string or shape id it added: a retry must look them up again.
            _insertRequest.ResetCache();
            throw;
        }
    }

    private void WriteCore(AnalyticsBatch batch)
    {
        using var transaction = _connection.BeginTransaction();
        if (batch.RawAhead)
        {
            _markRawAhead.Run(transaction, []);
        }
        else if (batch.CatchesUp)
        {
            _clearRawAhead.Run(transaction, []);
        }

        // A commit of 2 000 raw rows holds the CPU for milliseconds; on a core shared with the requests (one core, or a
        // busy machine) a request that arrives meanwhile waits for the scheduler to preempt the writer. Giving the core
        // up every 128 statements lets it run at once: fixed-rate.sh, server pinned to one core, 5 rounds, raw p99 ÷
        // the app without analytics went from 1.32 to 1.07 at half of capacity and from 1.43 to 1.25 at saturation
        // (2026-12-02, same run). With nothing else to run, a yield returns at once.
        var statements = 0;
        foreach (var r in batch.Requests)
        {
            _insertRequest.Run(r);
            if ((++statements & YieldEvery) == 0)
            {
                Thread.Yield();
            }
        }

        foreach (var e in batch.Events)
        {
            _insertEvent.Run(transaction, [
                SqliteAnalyticsStore.ToUnixMicroseconds(e.Timestamp), e.Name, e.UserId,
                e.Duration is { } d ? d.Ticks / TimeSpan.TicksPerMicrosecond : null,
                e.Success is { } s ? (s ? 1 : 0) : null,
                e.PropertiesJson, e.Environment, e.Instance, e.Consumer, e.Release]);
        }

        foreach (var r in batch.RequestRollups)
        {
            _upsertRequestRollup.Run(r);
            if ((++statements & YieldEvery) == 0)
            {
                Thread.Yield();
            }
        }

        _upsertRequestTotals.Run(batch.RequestRollups);

        foreach (var r in batch.ConsumerRollups)
        {
            _upsertConsumerRollup.Run(r);
        }

        _upsertConsumerTotals.Run(batch.ConsumerRollups);

        foreach (var r in batch.ErrorRollups)
        {
            _upsertErrorRollup.Run(transaction, [
                (int)r.Granularity, SqliteAnalyticsStore.ToUnixMicroseconds(r.BucketStart), r.Route, r.Method, r.StatusCode,
                r.ExceptionType ?? string.Empty, r.Fingerprint, r.Environment ?? string.Empty, r.Instance ?? string.Empty, (int)r.Kind,
                r.Count, SqliteAnalyticsStore.ToUnixMicroseconds(r.FirstSeen), SqliteAnalyticsStore.ToUnixMicroseconds(r.LastSeen), r.LastMessage]);
        }

        foreach (var g in batch.ErrorGroups)
        {
            _upsertErrorGroup.Run(transaction, [
                g.Fingerprint, g.Route, g.Method, g.StatusCode, g.ExceptionType, g.Message, g.Count,
                SqliteAnalyticsStore.ToUnixMicroseconds(g.FirstSeen), SqliteAnalyticsStore.ToUnixMicroseconds(g.LastSeen), (int)g.Severity]);
        }

        foreach (var r in batch.EventRollups)
        {
            _upsertEventRollup.Run(transaction, [
                (int)r.Granularity, SqliteAnalyticsStore.ToUnixMicroseconds(r.BucketStart), r.Name,
                r.Environment ?? string.Empty, r.Instance ?? string.Empty,
                r.Count, r.Successes, r.Failures, r.Duration?.ToBytes()]);
        }

        InsertOutbox(transaction, batch.WebhookMessages);
        transaction.Commit();
        _checkpointer.AfterCommit(_connection);
    }

    /// <summary>Gets the checkpoint thread, for tests.</summary>
    internal SqliteCheckpointer Checkpointer => _checkpointer;

    /// <summary>Adds process-health samples to their rollups in one transaction.</summary>
    public void AddHealthRollups(IReadOnlyList<HealthRollup> rollups)
    {
        using var transaction = _connection.BeginTransaction();
        foreach (var r in rollups)
        {
            _upsertHealthRollup.Run(transaction, [
                (int)r.Granularity, SqliteAnalyticsStore.ToUnixMicroseconds(r.BucketStart), r.Instance, r.Metric,
                r.Count, r.Sum, r.Min, r.Max]);
        }

        transaction.Commit();
    }

    /// <summary>Adds webhook messages to the outbox within <paramref name="transaction"/>.</summary>
    public void InsertOutbox(SqliteTransaction transaction, IReadOnlyList<WebhookMessage> messages)
    {
        foreach (var m in messages)
        {
            _insertOutbox.Run(transaction, [
                m.Id, m.SubscriptionId, m.EventType, m.Payload, SqliteAnalyticsStore.ToUnixMicroseconds(m.CreatedAt),
                SqliteAnalyticsStore.ToUnixMicroseconds(m.NextAttemptAt), m.Attempts, m.Deliveries, (int)m.State]);
        }
    }

    /// <summary>
    /// Deletes up to <paramref name="maxRows"/> rows matching <paramref name="where"/>, table by table, in one transaction,
    /// and up to as many again from each of <paramref name="uncounted"/>, which the count returned leaves out.
    /// </summary>
    public int Purge(IEnumerable<string> tables, string where, long cutoff, int? granularity, int maxRows, string[]? uncounted = null)
    {
        int deleted = 0;
        using var transaction = _connection.BeginTransaction();
        foreach (var table in tables)
        {
            if (deleted >= maxRows)
            {
                break;
            }

            deleted += Delete(transaction, table, where, cutoff, granularity, maxRows - deleted);
        }

        foreach (var table in uncounted ?? [])
        {
            Delete(transaction, table, where, cutoff, granularity, maxRows);
        }

        transaction.Commit();
        return deleted;
    }

    private int Delete(SqliteTransaction transaction, string table, string where, long cutoff, int? granularity, int limit)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {where} LIMIT $limit);";
        command.Parameters.AddWithValue("$cutoff", cutoff);
        command.Parameters.AddWithValue("$limit", limit);
        if (granularity is { } g)
        {
            command.Parameters.AddWithValue("$granularity", g);
        }

        return command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _insertRequest.Dispose();
        _insertEvent.Dispose();
        _upsertRequestRollup.Dispose();
        _upsertRequestTotals.Dispose();
        _upsertConsumerTotals.Dispose();
        _upsertConsumerRollup.Dispose();
        _upsertErrorRollup.Dispose();
        _upsertEventRollup.Dispose();
        _upsertErrorGroup.Dispose();
        _upsertHealthRollup.Dispose();
        _insertOutbox.Dispose();
        _markRawAhead.Dispose();
        _clearRawAhead.Dispose();
        _checkpointer.Dispose();
        _connection.Dispose();
    }

    /// <summary>The body of <see cref="MergeFunction"/> (a damaged stored sketch is replaced: see <see cref="StoreRows.MergeIntoStored"/>).</summary>
    internal static byte[] MergeSketches(byte[] stored, byte[] added) => StoreRows.MergeIntoStored(stored, LatencySketch.FromBytes(added));

    private static string Parameters(string columns) => string.Join(", ", columns.Split(", ").Select(c => "$" + c));

    /// <summary>A prepared statement whose parameters, in order of first appearance, are filled positionally.</summary>
    private sealed class Insert : IDisposable
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter[] _parameters;

        private Insert(SqliteCommand command, SqliteParameter[] parameters)
        {
            _command = command;
            _parameters = parameters;
        }

        public static Insert Prepare(SqliteConnection connection, string sql)
        {
            var names = System.Text.RegularExpressions.Regex.Matches(sql, @"\$[a-z_]+").Select(m => m.Value).Distinct().ToArray();
            var command = connection.CreateCommand();
            command.CommandText = sql;
            var parameters = names.Select(n => command.Parameters.Add(new SqliteParameter { ParameterName = n })).ToArray();
            command.Prepare();
            return new Insert(command, parameters);
        }

        public void Run(SqliteTransaction transaction, ReadOnlySpan<object?> values)
        {
            _command.Transaction = transaction;
            for (int i = 0; i < _parameters.Length; i++)
            {
                _parameters[i].Value = values[i] ?? DBNull.Value;
            }

            _command.ExecuteNonQuery();
        }

        public void Dispose() => _command.Dispose();
    }
}
