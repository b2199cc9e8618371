using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite;

/// <summary>
/// The SQLite store. One long-lived writer connection (WAL, <c>synchronous=NORMAL</c>) with prepared insert commands
/// reused for every row; reads use their own pooled connections, which WAL lets run beside the writer. One file belongs
/// to one process.
/// </summary>
internal sealed class SqliteAnalyticsStore : IAnalyticsStore, IDisposable
{
    private const string RequestColumns =
        "id, ts, method, route, path, status, duration_us, request_bytes, response_bytes, client_ip, user_agent, protocol, kind, trace_id, user_id, environment, instance, exception_type, exception_message";

    private const string EventColumns = "id, ts, name, user_id, duration_us, success, properties, environment, instance";

    private readonly string _connectionString;

    // Guards the writer connection and its commands; WriteBatchAsync has one caller, but initialization and
    // disposal can race with it.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private WriterState? _writer;

    public SqliteAnalyticsStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,

            // Microsoft.Data.Sqlite retries SQLITE_BUSY for this long; a write that cannot get the lock in 5 s fails
            // and goes back to the writer's backoff rather than stalling the queue.
            DefaultTimeout = 5,
        }.ToString();
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string FilePath { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            GetWriter();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = GetWriter();
            try
            {
                writer.Write(batch);
            }
            catch
            {
                // Whatever broke (a lock held too long, the file gone or read-only), the next attempt starts from a
                // fresh connection rather than one in an unknown state.
                writer.Dispose();
                _writer = null;
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) =>
        ReadPageAsync("requests", RequestColumns, query, reader => new StoredRequest(reader.GetInt64(0), new RequestRecord
        {
            Timestamp = FromUnixMicroseconds(reader.GetInt64(1)),
            Method = reader.GetString(2),
            Route = reader.GetString(3),
            Path = reader.GetString(4),
            StatusCode = reader.GetInt32(5),
            Duration = TimeSpan.FromMicroseconds(reader.GetInt64(6)),
            RequestBytes = reader.GetInt64(7),
            ResponseBytes = reader.GetInt64(8),
            ClientIp = GetStringOrNull(reader, 9),
            UserAgent = GetStringOrNull(reader, 10),
            Protocol = GetStringOrNull(reader, 11),
            Kind = (RequestKind)reader.GetInt32(12),
            TraceId = GetStringOrNull(reader, 13),
            UserId = GetStringOrNull(reader, 14),
            Environment = GetStringOrNull(reader, 15),
            Instance = GetStringOrNull(reader, 16),
            ExceptionType = GetStringOrNull(reader, 17),
            ExceptionMessage = GetStringOrNull(reader, 18),
        }), cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken) =>
        ReadPageAsync("events", EventColumns, query, reader => new StoredEvent(reader.GetInt64(0), new EventRecord
        {
            Timestamp = FromUnixMicroseconds(reader.GetInt64(1)),
            Name = reader.GetString(2),
            UserId = GetStringOrNull(reader, 3),
            Duration = reader.IsDBNull(4) ? null : TimeSpan.FromMicroseconds(reader.GetInt64(4)),
            Success = reader.IsDBNull(5) ? null : reader.GetInt64(5) != 0,
            PropertiesJson = GetStringOrNull(reader, 6),
            Environment = GetStringOrNull(reader, 7),
            Instance = GetStringOrNull(reader, 8),
        }), cancellationToken);

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master;";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        // The container disposes the store after the hosted writer has stopped, so no write can be in flight here.
        Interlocked.Exchange(ref _writer, null)?.Dispose();
    }

    internal static long ToUnixMicroseconds(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    internal static DateTimeOffset FromUnixMicroseconds(long value) => new(DateTimeOffset.UnixEpoch.UtcTicks + (value * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    private static string? GetStringOrNull(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static SqliteCommand CreatePageCommand(SqliteConnection connection, string table, string columns, RawQuery query)
    {
        if (query.Limit is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "Limit must be between 1 and 10000.");
        }

        var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {columns} FROM {table} WHERE 1 = 1");
        if (query.From is { } from)
        {
            sql.Append(" AND ts >= $from");
            command.Parameters.AddWithValue("$from", ToUnixMicroseconds(from));
        }

        if (query.To is { } to)
        {
            sql.Append(" AND ts < $to");
            command.Parameters.AddWithValue("$to", ToUnixMicroseconds(to));
        }

        if (query.Before is { } before)
        {
            sql.Append(" AND id < $before");
            command.Parameters.AddWithValue("$before", before);
        }

        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY id DESC LIMIT {query.Limit};");
        command.CommandText = sql.ToString();
        return command;
    }

    private async Task<IReadOnlyList<T>> ReadPageAsync<T>(string table, string columns, RawQuery query, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = CreatePageCommand(connection, table, columns, query);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private WriterState GetWriter() => _writer ??= WriterState.Open(_connectionString, FilePath);

    /// <summary>The writer connection and its prepared commands, created together and thrown away together.</summary>
    private sealed class WriterState : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insertRequest;
        private readonly SqliteParameter[] _requestParameters;
        private readonly SqliteCommand _insertEvent;
        private readonly SqliteParameter[] _eventParameters;

        private WriterState(SqliteConnection connection)
        {
            _connection = connection;
            (_insertRequest, _requestParameters) = Prepare(connection, "requests", RequestColumns);
            (_insertEvent, _eventParameters) = Prepare(connection, "events", EventColumns);
        }

        public static WriterState Open(string connectionString, string filePath)
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
                    // lose the last commits on power loss but never corrupts the file.
                    pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;";
                    pragma.ExecuteNonQuery();
                }

                SqliteSchema.Migrate(connection);
                return new WriterState(connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public void Write(AnalyticsBatch batch)
        {
            using var transaction = _connection.BeginTransaction();
            _insertRequest.Transaction = transaction;
            _insertEvent.Transaction = transaction;
            var p = _requestParameters;
            foreach (var r in batch.Requests)
            {
                p[0].Value = ToUnixMicroseconds(r.Timestamp);
                p[1].Value = r.Method;
                p[2].Value = r.Route;
                p[3].Value = r.Path;
                p[4].Value = r.StatusCode;
                p[5].Value = (long)r.Duration.TotalMicroseconds;
                p[6].Value = r.RequestBytes;
                p[7].Value = r.ResponseBytes;
                p[8].Value = (object?)r.ClientIp ?? DBNull.Value;
                p[9].Value = (object?)r.UserAgent ?? DBNull.Value;
                p[10].Value = (object?)r.Protocol ?? DBNull.Value;
                p[11].Value = (int)r.Kind;
                p[12].Value = (object?)r.TraceId ?? DBNull.Value;
                p[13].Value = (object?)r.UserId ?? DBNull.Value;
                p[14].Value = (object?)r.Environment ?? DBNull.Value;
                p[15].Value = (object?)r.Instance ?? DBNull.Value;
                p[16].Value = (object?)r.ExceptionType ?? DBNull.Value;
                p[17].Value = (object?)r.ExceptionMessage ?? DBNull.Value;
                _insertRequest.ExecuteNonQuery();
            }

            var e = _eventParameters;
            foreach (var ev in batch.Events)
            {
                e[0].Value = ToUnixMicroseconds(ev.Timestamp);
                e[1].Value = ev.Name;
                e[2].Value = (object?)ev.UserId ?? DBNull.Value;
                e[3].Value = ev.Duration is { } d ? (long)d.TotalMicroseconds : DBNull.Value;
                e[4].Value = ev.Success is { } s ? (s ? 1 : 0) : DBNull.Value;
                e[5].Value = (object?)ev.PropertiesJson ?? DBNull.Value;
                e[6].Value = (object?)ev.Environment ?? DBNull.Value;
                e[7].Value = (object?)ev.Instance ?? DBNull.Value;
                _insertEvent.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        public void Dispose()
        {
            _insertRequest.Dispose();
            _insertEvent.Dispose();
            _connection.Dispose();
        }

        private static (SqliteCommand, SqliteParameter[]) Prepare(SqliteConnection connection, string table, string columns)
        {
            // Every column but the id, in order, each with a parameter object kept and reused for every row.
            var names = columns.Split(", ")[1..];
            var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO {table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select(n => "$" + n))});";
            var parameters = names.Select(n => command.Parameters.Add(new SqliteParameter { ParameterName = "$" + n })).ToArray();
            command.Prepare();
            return (command, parameters);
        }
    }
}
