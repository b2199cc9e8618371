using System.Diagnostics;
using System.Text.RegularExpressions;
using Analytics.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Faults;

/// <summary>
/// The sample, as a real child process, on a PostgreSQL cluster of the test's own (never the one other tests share),
/// stopped (<c>pg_ctl stop -m fast</c>) in the middle of a paced load until a batch write has failed, then started again: every request still succeeds, the
/// batches that failed are retried once the server is back, and then every acknowledged request is a raw row exactly
/// once and the rollups of every granularity are the raw rows regrouped: nothing lost that was acknowledged, nothing
/// counted twice (a retry of a batch whose commit did happen writes nothing: <c>written_batches</c>).
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
[Trait("Category", "Faults")]
public partial class PostgreSqlRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LoadBeforeRestart = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan LoadAfterRecovery = TimeSpan.FromSeconds(2);

    // The writer's retries after 1, 2 and 4 s cover a restart of a few seconds; the restart itself is not counted here.
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AServerRestartMidLoadLosesNothingAcknowledgedAndCountsNothingTwice()
    {
        var started = Stopwatch.GetTimestamp();
        var pgCtl = PgCtl();
        var script = Path.Combine(TestProcess.RepositoryRoot(), "tests", "postgres-server.sh");
        var exports = await TestProcess.RunAsync(Path.GetTempPath(), TimeSpan.FromSeconds(90), "bash", script, "start");
        var connectionString = Export().Match(exports) is { Success: true } c ? c.Groups["value"].Value : throw new InvalidOperationException(exports);
        var clusterDirectory = ExportDirectory().Match(exports).Groups["value"].Value;
        try
        {
            Assert.Contains("Host=127.0.0.1", connectionString, StringComparison.Ordinal);
            var (process, origin) = await TestProcess.StartSampleAsync(
                "--no-demo-traffic", "--postgres", connectionString, "--RequestAnalytics:FlushInterval", "00:00:01");
            await using (process)
            {
                await using var database = NpgsqlDataSource.Create(connectionString);
                var persisted = new PersistedOrders(database);
                var load = FaultLoad.Start(origin, "restart");
                var loadStarted = Stopwatch.GetTimestamp();
                await Wait.UntilAsync(async () => (await persisted.ReadAsync()).Count >= 100, Deadline, "the load's first rows are written");
                await Wait.UntilAsync(() => Stopwatch.GetElapsedTime(loadStarted) >= LoadBeforeRestart || load.IsCompleted, Deadline, "the load has run a while");

                // Stopped until a batch write has failed against it, then started again: a bare `pg_ctl restart` is over
                // in half a second and can fall between two batches (seen in CI), leaving nothing to retry.
                var restartBegan = Stopwatch.GetTimestamp();
                await PgCtlAsync(pgCtl, clusterDirectory, "stop", "-m", "fast", "-w", "-t", "60");
                await Wait.UntilAsync(
                    () => process.Output.Any(l => l.Contains("could not write a batch", StringComparison.Ordinal)),
                    Deadline,
                    "a batch write fails while the server is down");
                await PgCtlAsync(pgCtl, clusterDirectory, "start", "-w", "-t", "60", "-o", ServerOptions(connectionString, clusterDirectory));
                var serverBack = Stopwatch.GetTimestamp();
                var restart = Stopwatch.GetElapsedTime(restartBegan, serverBack);

                // Recovered when a request acknowledged after the server came back is in the table.
                await Wait.UntilAsync(
                    async () => (await persisted.ReadAsync()).Overlaps(load.AcknowledgedAfter(serverBack)),
                    Deadline,
                    "writing resumes after the restart");
                var recovery = Stopwatch.GetElapsedTime(serverBack);
                var recoveredAt = Stopwatch.GetTimestamp();
                await Wait.UntilAsync(() => Stopwatch.GetElapsedTime(recoveredAt) >= LoadAfterRecovery || load.IsCompleted, Deadline, "the load has run after the recovery");
                await load.StopAsync();

                var acknowledged = load.Acknowledged.Select(a => a.Id).ToHashSet();
                await Wait.UntilAsync(
                    async () => (await persisted.ReadAsync()).IsSupersetOf(acknowledged),
                    Deadline,
                    $"every one of the {acknowledged.Count} acknowledged requests is written");
                var failedWrites = process.Output.Count(l => l.Contains("could not write a batch", StringComparison.Ordinal));
                output.WriteLine(
                    $"PostgreSQL restart (pg_ctl stop -m fast until a write failed, then start) {Stopwatch.GetElapsedTime(started, restartBegan).TotalSeconds:F1} s into the test took {restart.TotalSeconds:F1} s; " +
                    $"writing resumed {recovery.TotalSeconds:F1} s after the server was back ({failedWrites} failed write attempts logged); " +
                    $"{load.Sent:N0} requests, {acknowledged.Count:N0} acknowledged to {FaultLoad.OrdersRoute}, {load.Failures.Count} failed.");

                Assert.Empty(load.Failures);
                Assert.True(failedWrites > 0, $"no write failed across the restart: it happened between two batches\n{process.Transcript}");
                Assert.True(recovery <= RecoveryBound, $"writing resumed {recovery.TotalSeconds:F1} s after the server was back (bound {RecoveryBound.TotalSeconds} s)");

                await using var connection = await database.OpenConnectionAsync();
                var duplicates = RollupCheck.Scalar(
                    connection,
                    $"SELECT count(*) - count(DISTINCT path) FROM analytics.requests WHERE route = '{FaultLoad.OrdersRoute}';");
                Assert.True(duplicates == 0, $"{duplicates} requests were written twice");
                var rows = RollupCheck.AssertRollupsMatchRawRows(connection, output, "analytics.");
                output.WriteLine($"Every acknowledged request written once; {rows:N0} raw rows in all.");
            }
        }
        finally
        {
            await TestProcess.RunAsync(Path.GetTempPath(), TimeSpan.FromSeconds(60), "bash", script, "stop", clusterDirectory);
        }

        Assert.False(Directory.Exists(clusterDirectory), $"the dedicated cluster's folder {clusterDirectory} is still there");
        output.WriteLine($"Wall time: {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s (cluster start and stop included).");
    }

    /// <summary>Finds PostgreSQL's pg_ctl where tests/postgres-server.sh does, or fails naming the package.</summary>
    private static string PgCtl()
    {
        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin", "pg_ctl"))
                .Where(File.Exists)
                .OrderBy(path => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path))), out var v) ? v : new Version())
                .LastOrDefault()
            : null;
        Assert.True(found is not null, "PostgreSQL's server binaries are not installed (Debian package postgresql): run ./test.sh, which installs them.");
        return found;
    }

    /// <summary>Runs pg_ctl on the cluster as its owner; <c>start</c> waits until it accepts connections again.</summary>
    private static Task<string> PgCtlAsync(string pgCtl, string clusterDirectory, params string[] arguments)
    {
        // -l: without a log file the new server would keep this test's output pipe open.
        string[] command = [pgCtl, "-D", Path.Combine(clusterDirectory, "data"), "-l", Path.Combine(clusterDirectory, "server.log"), .. arguments];
        return Environment.UserName == "root"
            ? TestProcess.RunAsync(clusterDirectory, TimeSpan.FromSeconds(90), "runuser", ["-u", "postgres", "--", .. command])
            : TestProcess.RunAsync(clusterDirectory, TimeSpan.FromSeconds(90), command[0], command[1..]);
    }

    /// <summary>The server options tests/postgres-server.sh started the cluster with, its port read back from the connection string.</summary>
    private static string ServerOptions(string connectionString, string clusterDirectory) =>
        $"-p {new NpgsqlConnectionStringBuilder(connectionString).Port} -k {clusterDirectory} " +
        "-c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300";

    /// <summary>The load's rows in the table, read a little more at each look (by id), so that looking often stays cheap.</summary>
    private sealed class PersistedOrders(NpgsqlDataSource database)
    {
        private readonly HashSet<int> _ids = [];
        private long _lastId;

        public async Task<HashSet<int>> ReadAsync()
        {
            try
            {
                await using var command = database.CreateCommand(
                    $"SELECT id, path FROM analytics.requests WHERE id > {_lastId} AND route = '{FaultLoad.OrdersRoute}' ORDER BY id;");
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    _lastId = reader.GetInt64(0);
                    _ids.Add(FaultLoad.OrderId(reader.GetString(1)));
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The schema is not there yet, or the server is restarting: nothing new seen this time.
            }

            return _ids;
        }
    }

    [GeneratedRegex("export ANALYTICS_POSTGRES='(?<value>[^']+)'")]
    private static partial Regex Export();

    [GeneratedRegex("export ANALYTICS_POSTGRES_DIR='(?<value>[^']+)'")]
    private static partial Regex ExportDirectory();
}
