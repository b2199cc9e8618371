using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SQLitePCL;

namespace Analytics.Sqlite;

/// <summary>
/// Copies the write-ahead log back into the database file on a thread of its own, so that the writer's commits never do.
/// SQLite's automatic checkpoint runs inside the commit that takes the log past 1 000 pages, on the writer's thread:
/// it copies those pages and syncs the log and the file (<c>synchronous = NORMAL</c> syncs at checkpoints only), while
/// the queue waits. Measured with <c>ingest-split</c> (IngestBenchmarks' records, 2026-12-03): the commits of
/// <c>Pipeline</c> took 1.14 µs a record with it and 0.50 µs without, of 5.2 µs a record in all. The writer's
/// connection turns it off (<c>wal_autocheckpoint = 0</c>), counts the pages its transactions write, and asks for a
/// checkpoint here every <see cref="Pages"/> pages. A <c>PASSIVE</c> checkpoint waits for nobody: the writer goes on
/// committing meanwhile. The log starts over only once a checkpoint has copied all of it, which one running beside
/// commits that follow each other without a pause never does; so the writer copies the rest itself every
/// <see cref="WriterPages"/> pages (<see cref="AfterCommit"/>), mostly pages this thread already copied. Should a
/// checkpoint fail, the writer's connection takes SQLite's own back (<see cref="Failed"/>): slower, never unbounded; and
/// the failure is logged, once, as a warning.
/// </summary>
internal sealed partial class SqliteCheckpointer : IDisposable
{
    /// <summary>The log's size, in pages, that asks for a checkpoint: SQLite's own default.</summary>
    public const int Pages = 1_000;

    /// <summary>The log's size, in pages, past which the writer checkpoints itself, so that the log starts over.</summary>
    public const int WriterPages = 4 * Pages;

    private readonly string _connectionString;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly AutoResetEvent _requested = new(initialState: false); // one request stands for all made while a checkpoint ran
    private volatile bool _stopping;
    private volatile bool _failed;
    private long _completed;
    private int _pending;
    private int _sinceWritersOwn;
    private bool _checkpointsInCommits;

    public SqliteCheckpointer(string connectionString, ILogger? logger = null)
    {
        _connectionString = connectionString;
        _logger = logger ?? NullLogger.Instance;
        _thread = new Thread(Run) { IsBackground = true, Name = "Request analytics checkpoint" };
        _thread.Start();
    }

    /// <summary>Gets whether a checkpoint failed: the writer's connection then checkpoints as SQLite does by default.</summary>
    public bool Failed => _failed;

    /// <summary>Gets how many checkpoints this thread has run.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>
    /// Called by the writer after each commit, on its thread: counts what the commits since the last call wrote to the
    /// log (the other transactions on the writer's connection, health, webhooks and purges, are counted with the next
    /// batch) and asks this thread for a checkpoint every <see cref="Pages"/> pages. Every <see cref="WriterPages"/>
    /// pages it copies what this thread has not yet copied on the writer's connection, so that the next transaction writes
    /// the log from its start again; a checkpoint already running here makes it try again at the next commit. Once this
    /// thread has failed, SQLite checkpoints in the writer's commits again, as it does by default.
    /// </summary>
    public void AfterCommit(SqliteConnection writer)
    {
        if (_failed)
        {
            if (!_checkpointsInCommits)
            {
                using var pragma = writer.CreateCommand();
                pragma.CommandText = $"PRAGMA wal_autocheckpoint = {Pages};";
                pragma.ExecuteNonQuery();
                _checkpointsInCommits = true;
            }

            return;
        }

        var db = writer.Handle!;
        if (raw.sqlite3_db_status(db, raw.SQLITE_DBSTATUS_CACHE_WRITE, out var pages, out _, 1) != raw.SQLITE_OK)
        {
            return;
        }

        Add(pages);
        _sinceWritersOwn += pages;
        if (_sinceWritersOwn >= WriterPages &&
            raw.sqlite3_wal_checkpoint_v2(db, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _) == raw.SQLITE_OK)
        {
            _sinceWritersOwn = 0;
        }
    }

    /// <summary>Adds <paramref name="pages"/> written to the log; asks for a checkpoint once they reach <see cref="Pages"/>.</summary>
    public void Add(int pages)
    {
        _pending += pages;
        if (_pending >= Pages)
        {
            _pending = 0;
            _requested.Set();
        }
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _requested.Set();
        _thread.Join();
        _requested.Dispose();
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                _requested.WaitOne(); // a thread of its own, made to block here
                if (_stopping)
                {
                    return;
                }

                if (connection is null)
                {
                    connection = new SqliteConnection(_connectionString);
                    connection.Open();
                }

                using (var command = connection.CreateCommand())
                {
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    command.ExecuteNonQuery();
                }

                Interlocked.Increment(ref _completed);
            }
        }
        catch (Exception exception)
        {
            // Whatever broke, a thread of the library's own must not take the host down with it: the writer's connection
            // checkpoints again (AfterCommit), and the next writer, after an error, starts a new thread.
            _failed = true;
            Log.CheckpointThreadFailed(_logger, exception);
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Warning,
            "Request analytics' checkpoint thread stopped; SQLite copies its log back into the file inside the writer's commits " +
            "again, which makes them slower but keeps the log bounded.",
            EventName = "CheckpointThreadFailed")]
        public static partial void CheckpointThreadFailed(ILogger logger, Exception exception);
    }
}
