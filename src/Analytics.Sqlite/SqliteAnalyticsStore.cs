using Analytics.Sql;
using Analytics.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Analytics.Sqlite;

/// <summary>
/// The SQLite store. One long-lived writer connection (WAL, <c>synchronous=NORMAL</c>) with prepared statements reused
/// for every row, rollups upserted in the same transaction as the raw rows; reads use their own pooled connections,
/// which WAL lets run beside the writer. One file belongs to one process.
/// </summary>
internal sealed partial class SqliteAnalyticsStore : IAnalyticsStore, IRequestCountStore, IConsumerRollupStore, IRawAheadStore, IDisposable
{
    private static readonly string[] RawTables = ["request_rows", "events"]; // requests is a view over request_rows
    private static readonly string[] RollupTables =
        ["request_rollups", "consumer_rollups", "error_rollups", "event_rollups", "health_rollups"];

    // Purged with the request rollups, up to the same chunk, and not counted: a pass reports the rollup rows it deleted
    // (as every store does), and a bucket has no more totals than rollups (nor consumer totals than per-consumer
    // rollups), so they are gone when the rollups are.
    private static readonly string[] TotalTables = ["request_totals", "consumer_totals"];

    private readonly string _connectionString;
    private readonly string _writerConnectionString;

    // Guards the writer connection: batches, retention chunks, initialization and disposal all go through it, one at a
    // time, so a retention pass interleaves with batches chunk by chunk instead of contending for SQLite's lock.
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    // Maps raw requests' shape and string ids to their values, for every read of them; shared by concurrent reads.
    private readonly SqliteRequestReader _requestReader = new();
    private readonly ILogger? _logger;
    private SqliteWriter? _writer;
    private volatile bool _initialized;
    private volatile bool _disposed;

    /// <param name="path">The database file.</param>
    /// <param name="logger">Where the store reports what it works around (a checkpoint thread that stopped), or none.</param>
    public SqliteAnalyticsStore(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FilePath = Path.GetFullPath(path);
        _logger = logger;
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

        // The writer lives for the store's lifetime and is thrown away after an error; a pooled connection would hand
        // the same native handle (and whatever state broke it) straight back.
        _writerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Gets everything but <see cref="StoreCapabilities.Leadership"/>: an SQLite file belongs to one process.</summary>
    public StoreCapabilities Capabilities => field ??= new()
    {
        Errors = this, Alerts = this, Webhooks = this, HealthMetrics = this, RequestCounts = this, Consumers = this, Uptime = this,
        RawAhead = this,
    };

    public Task InitializeAsync(CancellationToken cancellationToken) => WithWriterAsync(static _ => 0, cancellationToken);

    public Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return WithWriterAsync(writer =>
        {
            writer.Write(batch);
            return 0;
        }, cancellationToken);
    }

    public Task<int> PurgeRawAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        long before = ToUnixMicroseconds(cutoff);
        return WithWriterAsync(writer => writer.Purge(RawTables, "ts < $cutoff", before, null, maxRows), cancellationToken);
    }

    public Task<int> PurgeRollupsAsync(Granularity granularity, DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        long before = ToUnixMicroseconds(cutoff);
        return WithWriterAsync(
            writer =>
            {
                int deleted = writer.Purge(
                    RollupTables, "granularity = $granularity AND bucket_start < $cutoff", before, (int)granularity, maxRows, TotalTables);

                // Health-check samples are kept as long as the hour rollups (IUptimeStore).
                return granularity == Granularity.Hour && deleted < maxRows
                    ? deleted + writer.Purge(["health_check_samples"], "ts < $cutoff", before, null, maxRows - deleted)
                    : deleted;
            },
            cancellationToken);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master;";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        // Never waits: if a batch or a retention chunk holds the writer (one that outlived the host's shutdown
        // timeout), that operation sees the flag and closes the writer itself when it finishes.
        _disposed = true;
        if (_writeLock.Wait(0))
        {
            try
            {
                CloseWriter();
            }
            finally
            {
                _writeLock.Release();
            }
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection); // let go of the file
    }

    internal static long ToUnixMicroseconds(DateTimeOffset value) => StoreRows.ToUnixMicroseconds(value);

    internal static DateTimeOffset FromUnixMicroseconds(long value) => StoreRows.FromUnixMicroseconds(value);

    private async Task<T> WithWriterAsync<T>(Func<SqliteWriter, T> action, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var writer = _writer ??= SqliteWriter.Open(_writerConnectionString, FilePath, _logger);
            _initialized = true;
            try
            {
                return action(writer);
            }
            catch
            {
                // Whatever broke (a lock held too long, the file gone or read-only), the next attempt starts from a
                // fresh connection rather than one in an unknown state.
                CloseWriter();
                throw;
            }
        }
        finally
        {
            if (_disposed)
            {
                CloseWriter(); // Dispose came while this operation held the writer
            }

            _writeLock.Release();
        }
    }

    /// <summary>Closes the writer connection, if open. Called only while holding <see cref="_writeLock"/>.</summary>
    private void CloseWriter()
    {
        _writer?.Dispose();
        _writer = null;
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        // A query can come before the first batch (a fresh app, or a file of an older schema version): create or
        // migrate the schema first, once, instead of failing with "no such table".
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = connection.CreateCommand())
            {
                // Reads map the file instead of copying each page out of the OS cache with a system call: a week of hour
                // rollups is 1 400 pages, more than the connection's 2 MB page cache keeps, and the reads were a sixth of the
                // time of a 7-day time series (perf, 100 M requests). SQLite caps it at its compiled maximum (2 GB).
                command.CommandText = "PRAGMA mmap_size = 2147418112;";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
