using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Analytics.Testing;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Faults;

/// <summary>
/// A full disk under load. Where the machine allows it (<c>unshare -rm</c> and a tmpfs mount in the new namespace), the
/// sample runs as a child process with its SQLite file on a tmpfs of <see cref="TmpfsMegabytes"/> MB, which the test
/// fills but for <see cref="Headroom"/> so that the load fills the rest: SQLite then fails with SQLITE_FULL. Elsewhere an
/// in-process host runs over a store double that throws SQLite's own error 13 while "full". Either way: every request
/// still succeeds, the queue overflows and counts its drops, memory stays flat, and once space is freed writing resumes
/// by itself within the writer's backoff, with the file intact and the rollups equal to the raw rows.
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
[Trait("Category", "Faults")]
public partial class DiskFullTests(ITestOutputHelper output)
{
    /// <summary>Set to <c>tmpfs</c> or <c>double</c> to force a mode; by default the tmpfs when the machine allows it.</summary>
    public const string ModeVariable = "ANALYTICS_FAULTS_DISK";

    internal const int TmpfsMegabytes = 16;
    internal const long Headroom = 512 * 1024;

    // A small queue, so that the load overflows it within a second of the writer stalling and drops are counted.
    internal const int QueueCapacity = 1_000;
    internal const int BatchSize = 250;
    internal static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    // Measured on the sample: RSS moves by a few MB over such a run. A leak per dropped record (thousands of them) or an
    // unbounded queue would pass a quarter more.
    private const double MaxMemoryGrowth = 1.25;

    // How long the writer takes to write again once space is freed, beyond the backoff delay it announced last: its next
    // attempt starts when that delay ends, then one flush interval and a commit.
    private static readonly TimeSpan RecoverySlack = TimeSpan.FromSeconds(3);

    // How long the disk stays full after the queue first overflows: every request of it is offered to a full queue.
    private static readonly TimeSpan FullAfterOverflow = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhenTheDiskFillsRequestsSucceedDropsAreCountedMemoryStaysFlatAndWritingResumesOnceSpaceIsFreed()
    {
        var started = Stopwatch.GetTimestamp();
        var whyNotTmpfs = await ProbeTmpfsAsync();
        var mode = whyNotTmpfs is null
            ? $"tmpfs: the sample in a user+mount namespace (unshare -rm), its SQLite file on a {TmpfsMegabytes} MB tmpfs"
            : $"store double: an in-process host whose store throws SqliteException(13, 'database or disk is full') ({whyNotTmpfs})";
        output.WriteLine($"Disk-full mode: {mode}.");
        using var directory = new TempDirectory();
        await using IDiskFullRig rig = whyNotTmpfs is null ? await TmpfsRig.StartAsync(directory.Path) : await StoreDoubleRig.StartAsync(directory.Path);

        var load = FaultLoad.Start(rig.Origin, "disk", burst: 8);
        await Wait.UntilAsync(async () => (await rig.CountersAsync()).Written >= 200, Deadline, "the load's first rows are written");
        await rig.FillAsync();
        var filledAt = Stopwatch.GetTimestamp();
        await Wait.UntilAsync(
            async () => rig.FailedWrites.Count >= 1 && (await rig.CountersAsync()).Dropped > 0,
            Deadline,
            "writes fail on the full disk and the queue overflows");

        // Memory from the moment the queue is full (warm-up over, the queue at its bound) to the end of the outage.
        var memoryBefore = rig.MemoryBytes();
        var overflowedAt = Stopwatch.GetTimestamp();
        await Wait.UntilAsync(
            () => rig.FailedWrites.Count >= 2 && Stopwatch.GetElapsedTime(overflowedAt) >= FullAfterOverflow,
            Deadline,
            "the disk has stayed full a while");
        var memoryFull = rig.MemoryBytes();
        var atFree = await rig.CountersAsync();
        var fullFor = Stopwatch.GetElapsedTime(filledAt);
        await rig.FreeAsync();
        var freedAt = Stopwatch.GetTimestamp();
        await Wait.UntilAsync(async () => (await rig.CountersAsync()).Written > atFree.Written, Deadline, "writing resumes once space is freed");
        var recovery = Stopwatch.GetElapsedTime(freedAt);
        var recoveredAt = Stopwatch.GetTimestamp();
        var announced = rig.FailedWrites.Select(AnnouncedDelay).Max(); // the attempt under way at the free may have failed too

        // A second of load after the writer caught up, which must all be written: the queue had room again by then.
        await Wait.UntilAsync(async () => (await rig.CountersAsync()).QueueLength < BatchSize, Deadline, "the writer drains the queue");
        var drainedAt = Stopwatch.GetTimestamp();
        await Wait.UntilAsync(() => Stopwatch.GetElapsedTime(drainedAt) >= TimeSpan.FromSeconds(1) || load.IsCompleted, Deadline, "a second of load after the drain");
        await load.StopAsync();
        await Wait.UntilAsync(
            async () => await rig.CountersAsync() is var c && c.Accepted == c.Written && c.QueueLength == 0,
            Deadline,
            "everything accepted is written (drops are refusals of a full queue, never accepted; no batch is given up so soon)");
        var end = await rig.CountersAsync();

        output.WriteLine(
            $"Full for {fullFor.TotalSeconds:F1} s under {load.Sent:N0} requests ({load.Failures.Count} failed): {rig.FailedWrites.Count} failed write attempts, " +
            $"{atFree.Dropped:N0} records dropped when space was freed, {end.Dropped:N0} in all; memory {SampleProbe.Megabytes(memoryBefore)} MB when the queue first overflowed, " +
            $"{SampleProbe.Megabytes(memoryFull)} MB at the end of the outage ({rig.MemoryKind}).");
        output.WriteLine($"Recovery after the disk was freed: {recovery.TotalSeconds:F1} s until a batch was written again (last announced backoff {announced.TotalSeconds:F0} s).");
        Assert.Empty(load.Failures);
        Assert.True(rig.SawDiskFull, $"the writes did not fail with SQLite's 'database or disk is full':\n{string.Join('\n', rig.FailedWrites)}");
        Assert.True(end.Dropped > 0, "a stalled writer with a 1 000-record queue must drop");
        Assert.True(memoryFull <= memoryBefore * MaxMemoryGrowth, $"memory grew from {SampleProbe.Megabytes(memoryBefore)} to {SampleProbe.Megabytes(memoryFull)} MB while full");
        Assert.True(recovery <= announced + RecoverySlack, $"writing resumed {recovery.TotalSeconds:F1} s after space was freed (bound: {announced.TotalSeconds:F0} s backoff + {RecoverySlack.TotalSeconds} s)");

        var snapshot = await rig.SnapshotAsync(Path.Combine(directory.Path, "snapshot"));
        using var connection = SampleProbe.Open(snapshot);
        Assert.Equal("ok", LockedDatabaseTests.IntegrityCheck(connection));
        Assert.Equal(end.Written, SampleProbe.Scalar(connection, "SELECT count(*) FROM requests;"));
        Assert.Equal(0, SampleProbe.Scalar(connection, $"SELECT count(*) - count(DISTINCT path) FROM requests WHERE route = '{FaultLoad.OrdersRoute}';"));
        var persisted = LockedDatabaseTests.Persisted(snapshot);
        var afterDrain = load.AcknowledgedAfter(drainedAt);
        Assert.True(afterDrain.Count > 0 && persisted.IsSupersetOf(afterDrain), $"{afterDrain.Except(persisted).Count()} of the {afterDrain.Count} requests acknowledged after the drain are missing");
        RollupCheck.AssertRollupsMatchRawRows(connection, output);
        output.WriteLine($"After recovery: {end.Written:N0} records written = rows in the file, {afterDrain.Count:N0} acknowledged after the drain all present; integrity_check ok.");
        output.WriteLine($"Wall time: {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s (recovered {Stopwatch.GetElapsedTime(freedAt, recoveredAt).TotalSeconds:F1} s after the free).");
    }

    /// <summary>Returns <see langword="null"/> when a tmpfs can be mounted in a new user+mount namespace, else why not.</summary>
    private static async Task<string?> ProbeTmpfsAsync()
    {
        var forced = Environment.GetEnvironmentVariable(ModeVariable);
        if (forced == "double")
        {
            return $"{ModeVariable}=double";
        }

        var unshare = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, "unshare")).FirstOrDefault(File.Exists);
        if (unshare is null)
        {
            Assert.False(
                forced == "tmpfs" || Environment.GetEnvironmentVariable("CI") == "true",
                "'unshare' is not installed (Debian package util-linux): the disk-full test needs it to mount a tmpfs under CI.");
            return "unshare is not installed";
        }

        using var directory = new TempDirectory();
        using var probe = Process.Start(new ProcessStartInfo(unshare, ["-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\"", directory.Path])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await probe.WaitForExitAsync(timeout.Token);
        var error = (await probe.StandardError.ReadToEndAsync()).Trim();
        var why = probe.ExitCode == 0 ? null : $"mounting a tmpfs with unshare -rm failed: {error}";
        Assert.False(forced == "tmpfs" && why is not null, $"{ModeVariable}=tmpfs, but {why}");
        return why;
    }

    /// <summary>Reads the delay a <c>WriteFailed</c> log line announced ("retrying in 2 s").</summary>
    private static TimeSpan AnnouncedDelay(string line) =>
        RetryingIn().Match(line) is { Success: true } match
            ? TimeSpan.FromSeconds(double.Parse(match.Groups["seconds"].Value, CultureInfo.InvariantCulture))
            : TimeSpan.Zero;

    [GeneratedRegex(@"retrying in (?<seconds>[0-9.]+) s")]
    private static partial Regex RetryingIn();
}
