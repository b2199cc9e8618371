using System.Diagnostics;
using Analytics.Testing;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Faults;

/// <summary>
/// The sample, as a real child process, under a paced load while another connection holds <c>BEGIN EXCLUSIVE</c> on
/// its SQLite file for <see cref="HoldLock"/>: every request still succeeds, the writer's batches fail and back off
/// (SQLite's busy timeout is 5 s, so an attempt waits that long, then retries), and once the lock is released every
/// acknowledged request is written, once, with rollups equal to the raw rows.
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
[Trait("Category", "Faults")]
public class LockedDatabaseTests(ITestOutputHelper output)
{
    // Two of the store's 5 s busy waits: the first attempt fails, the retry a second later is still waiting when the
    // lock goes, so the test sees both a failed write and one that was held up.
    private static readonly TimeSpan HoldLock = TimeSpan.FromSeconds(10);

    // The writer backs off 1 s after the first failure, 2 s after the second; the retry under way when the lock goes
    // gets it at once. This bounds the time from the release to the last acknowledged request in the file.
    private static readonly TimeSpan CatchUpBound = TimeSpan.FromSeconds(8);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhileAnotherConnectionHoldsTheFileExclusivelyRequestsSucceedAndEveryAcknowledgedOneIsWrittenAfterwards()
    {
        var started = Stopwatch.GetTimestamp();
        using var directory = new TempDirectory();
        var database = directory.File("locked.db");
        var (process, origin) = await TestProcess.StartSampleAsync(
            "--no-demo-traffic", "--Sample:Database", database, "--RequestAnalytics:FlushInterval", "00:00:01");
        await using (process)
        {
            var load = FaultLoad.Start(origin, "locked");
            await Wait.UntilAsync(() => SampleProbe.CountRequests(database) >= 100, Deadline, "the load's first rows are in the file");

            long rowsAtLock, rowsBeforeRelease, lockedAt, releasedAt;
            using (var locker = SampleProbe.Open(database))
            {
                Execute(locker, "BEGIN EXCLUSIVE;");
                lockedAt = Stopwatch.GetTimestamp();
                rowsAtLock = SampleProbe.CountRequests(database);
                await Wait.UntilAsync(() => Stopwatch.GetElapsedTime(lockedAt) >= HoldLock, Deadline, "the lock has been held its time");
                rowsBeforeRelease = SampleProbe.CountRequests(database);
                Execute(locker, "COMMIT;");
                releasedAt = Stopwatch.GetTimestamp();
            }

            // Everything acknowledged before the release must reach the file by itself, with the load still running.
            var beforeRelease = load.Acknowledged.Where(a => a.At < releasedAt).Select(a => a.Id).ToHashSet();
            await Wait.UntilAsync(
                () => Persisted(database).IsSupersetOf(beforeRelease),
                Deadline,
                $"the {beforeRelease.Count} requests acknowledged before the release are written");
            var caughtUp = Stopwatch.GetElapsedTime(releasedAt);
            await load.StopAsync();
            var acknowledged = load.Acknowledged.Select(a => a.Id).ToHashSet();
            await Wait.UntilAsync(() => Persisted(database).IsSupersetOf(acknowledged), Deadline, "every acknowledged request is written");

            var failedWrites = process.Output.Count(l => l.Contains("could not write a batch", StringComparison.Ordinal));
            output.WriteLine(
                $"Locked database: BEGIN EXCLUSIVE held {HoldLock.TotalSeconds:F0} s under {load.Sent:N0} requests ({acknowledged.Count:N0} acknowledged to {FaultLoad.OrdersRoute}, " +
                $"{load.Failures.Count} failed); rows {rowsAtLock:N0} when locked, {rowsBeforeRelease:N0} just before the release; {failedWrites} failed write attempts logged; " +
                $"everything acknowledged before the release was in the file {caughtUp.TotalSeconds:F1} s after it.");
            Assert.Empty(load.Failures);
            Assert.Equal(rowsAtLock, rowsBeforeRelease); // the lock really kept the writer out
            Assert.True(failedWrites > 0, $"no write failed while the file was locked:\n{process.Transcript}");
            Assert.True(caughtUp <= CatchUpBound, $"the writer took {caughtUp.TotalSeconds:F1} s after the release to catch up (bound {CatchUpBound.TotalSeconds} s)");

            await TestProcess.RunAsync(Path.GetTempPath(), TimeSpan.FromSeconds(10), "kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Wait.UntilAsync(() => process.HasExited, Deadline, "the sample stops on SIGTERM");

            using var connection = SampleProbe.Open(database);
            Assert.Equal("ok", IntegrityCheck(connection));
            var duplicates = SampleProbe.Scalar(connection, $"SELECT count(*) - count(DISTINCT path) FROM requests WHERE route = '{FaultLoad.OrdersRoute}';");
            Assert.Equal(0, duplicates);
            RollupCheck.AssertRollupsMatchRawRows(connection, output);
        }

        output.WriteLine($"Wall time: {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s.");
    }

    internal static void Execute(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static string? IntegrityCheck(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        return (string?)command.ExecuteScalar();
    }

    /// <summary>Gets the order ids of the load's rows in the file.</summary>
    internal static HashSet<int> Persisted(string database)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT path FROM requests WHERE route = '{FaultLoad.OrdersRoute}';";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<int>();
        while (reader.Read())
        {
            ids.Add(FaultLoad.OrderId(reader.GetString(0)));
        }

        return ids;
    }
}
