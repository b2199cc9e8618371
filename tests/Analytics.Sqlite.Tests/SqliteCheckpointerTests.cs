using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static Analytics.Sqlite.Tests.SqliteCommands;

namespace Analytics.Sqlite.Tests;

/// <summary>The write-ahead log is copied back by a thread of its own, not in the writer's commits (SqliteCheckpointer).</summary>
public sealed class SqliteCheckpointerTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task TheLogIsCheckpointedBesideTheWriterAndStaysBoundedUnderCommitsWithoutAPause()
    {
        var path = _directory.File("a.db");
        using var writer = SqliteWriter.Open($"Data Source={path};Pooling=False", path);
        Assert.Equal(0L, Scalar(writer.Connection, "PRAGMA wal_autocheckpoint;")); // the commits do not checkpoint

        // 2 000 rows of 250-character paths a batch, about 180 pages: forty batches write some 7 000 pages, back to back.
        var second = 0;
        for (var batch = 0; batch < 40; batch++)
        {
            writer.Write(TestData.Batch(Enumerable.Range(0, 2_000).Select(_ => Request(second++))));
        }

        await Wait.UntilAsync(() => writer.Checkpointer.Completed >= 1, Deadline, "the checkpoint thread has run a checkpoint");
        Assert.False(writer.Checkpointer.Failed);

        // The log started over after the writer's own checkpoints: it holds what came since the last one, not the 40
        // batches, as it would with checkpoints off in the commits and nothing else copying it back.
        using var reader = new SqliteConnection($"Data Source={path};Pooling=False");
        reader.Open();
        // The thread may still be copying what the last batches asked for; a checkpoint of the test's own says how many
        // pages the log holds once it can run (busy = 0).
        long logPages = -1;
        await Wait.UntilAsync(
            () => Checkpoint(reader) is (0, var pages) && (logPages = pages) >= 0, Deadline, "a checkpoint of the test's own can run");
        Assert.InRange(logPages, 1, SqliteCheckpointer.WriterPages + (3 * 200));
        Assert.Equal(40L * 2_000, Scalar(reader, "SELECT count(*) FROM requests;"));
    }

    [Fact]
    public async Task ACheckpointThatCannotRunIsReportedAndTheThreadStopsCleanly()
    {
        // A file that cannot be opened: the checkpoint fails, and says so, instead of taking the host down.
        var missing = Path.Combine(_directory.File("missing"), "none.db");
        var logger = new FakeLogger();
        using var checkpointer = new SqliteCheckpointer($"Data Source={missing};Mode=ReadWrite;Pooling=False", logger);
        checkpointer.Add(SqliteCheckpointer.Pages - 1);
        checkpointer.Add(1);
        await Wait.UntilAsync(() => checkpointer.Failed, Deadline, "the failed checkpoint is reported");
        Assert.Equal(0, checkpointer.Completed);
        await Wait.UntilAsync(() => logger.Collector.Count > 0, Deadline, "the failure is logged");
        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal((LogLevel.Warning, "CheckpointThreadFailed"), (record.Level, record.Id.Name));
        Assert.IsType<SqliteException>(record.Exception);
    }

    [Fact]
    public void FewerPagesThanALogsWorthAskForNoCheckpoint()
    {
        var path = _directory.File("a.db");
        using var writer = SqliteWriter.Open($"Data Source={path};Pooling=False", path);
        writer.Write(TestData.Batch(Enumerable.Range(0, 100).Select(Request)));
        writer.Dispose(); // joins the thread: a checkpoint asked for would have run by now
        Assert.Equal(0, writer.Checkpointer.Completed);
    }

    private static RequestRecord Request(int second) => new()
    {
        Timestamp = Day.AddSeconds(second),
        Method = "GET",
        Route = "/items/{id}",
        Path = "/items/" + second.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(243, '0'),
        StatusCode = 200,
        Duration = TimeSpan.FromMilliseconds(1),
        ClientIp = "203.0.113.0",
        UserAgent = "okhttp/4.12.0",
        Protocol = "HTTP/1.1",
    };

    private static (long Busy, long LogPages) Checkpoint(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
