using System.Globalization;
using Analytics.Testing;

namespace Analytics.AspNetCore.Tests.Faults;

/// <summary>
/// The sample as a child process in a user+mount namespace of its own (<c>unshare -rm</c>), with its SQLite file on a
/// tmpfs mounted there: the mount exists only in that namespace and ends with the process, whatever happens to the test.
/// The test reaches the files through <c>/proc/PID/root</c>, which opens the process's view of the file system.
/// </summary>
internal sealed class TmpfsRig : IDiskFullRig
{
    private const string FailedWriteText = "could not write a batch";

    private readonly TestProcess _process;
    private readonly string _mountPoint;
    private readonly HttpClient _client;

    private TmpfsRig(TestProcess process, string origin, string mountPoint)
    {
        _process = process;
        _mountPoint = mountPoint;
        Origin = origin;
        _client = new HttpClient { BaseAddress = new Uri(origin), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Origin { get; }

    public string MemoryKind => "the sample's resident set";

    public IReadOnlyList<string> FailedWrites => [.. _process.Output.Where(l => l.Contains(FailedWriteText, StringComparison.Ordinal))];

    public bool SawDiskFull => _process.Output.Any(l => l.Contains("database or disk is full", StringComparison.Ordinal));

    public static async Task<TmpfsRig> StartAsync(string mountPoint)
    {
        var (process, origin) = await TestProcess.StartSampleUnderAsync(
            ["unshare", "-rm", "sh", "-c", $"mount -t tmpfs -o size={DiskFullTests.TmpfsMegabytes}m tmpfs \"$0\" && exec \"$@\"", mountPoint],
            "--no-demo-traffic",
            "--Sample:Database", Path.Combine(mountPoint, "faults.db"),
            "--RequestAnalytics:FlushInterval", DiskFullTests.FlushInterval.ToString("c", CultureInfo.InvariantCulture),
            "--RequestAnalytics:QueueCapacity", DiskFullTests.QueueCapacity.ToString(CultureInfo.InvariantCulture),
            "--RequestAnalytics:BatchSize", DiskFullTests.BatchSize.ToString(CultureInfo.InvariantCulture));
        return new TmpfsRig(process, origin, mountPoint);
    }

    public async Task<PipelineCounters> CountersAsync()
    {
        var lines = (await _client.GetStringAsync("/analytics/metrics")).Split('\n');
        long Read(string name) => long.Parse(
            lines.Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..],
            NumberStyles.Float,
            CultureInfo.InvariantCulture);
        return new PipelineCounters(
            Read("analytics_records_accepted_total"),
            Read("analytics_records_dropped_total"),
            Read("analytics_records_written_total"),
            Read("analytics_queue_length"));
    }

    public long MemoryBytes() => SampleProbe.ResidentBytes(_process.Id);

    public Task FillAsync()
    {
        // Written until the tmpfs refuses more, then cut back: the sample's own writes take the last of it.
        using var filler = new FileStream(Inside("filler"), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        var chunk = new byte[1 << 20];
        Array.Fill(chunk, (byte)0xA5);
        try
        {
            for (var i = 0; i < DiskFullTests.TmpfsMegabytes + 1; i++)
            {
                filler.Write(chunk);
            }

            Assert.Fail($"{DiskFullTests.TmpfsMegabytes + 1} MB fitted on the {DiskFullTests.TmpfsMegabytes} MB tmpfs");
        }
        catch (IOException)
        {
            // ENOSPC: the tmpfs is full.
        }

        filler.SetLength(Math.Max(0, filler.Length - DiskFullTests.Headroom));
        return Task.CompletedTask;
    }

    public Task FreeAsync()
    {
        File.Delete(Inside("filler"));
        return Task.CompletedTask;
    }

    public async Task<string> SnapshotAsync(string folder)
    {
        // Stopped, the process cannot be between two writes of a page: the file and its WAL are what a crash at this
        // instant would leave, which SQLite opens as of the last commit.
        Directory.CreateDirectory(folder);
        var pid = _process.Id.ToString(CultureInfo.InvariantCulture);
        await TestProcess.RunAsync(folder, TimeSpan.FromSeconds(10), "kill", "-STOP", pid);
        try
        {
            foreach (var suffix in new[] { "", "-wal" })
            {
                if (File.Exists(Inside("faults.db" + suffix)))
                {
                    File.Copy(Inside("faults.db" + suffix), Path.Combine(folder, "faults.db" + suffix));
                }
            }
        }
        finally
        {
            await TestProcess.RunAsync(folder, TimeSpan.FromSeconds(10), "kill", "-CONT", pid);
        }

        return Path.Combine(folder, "faults.db");
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _process.DisposeAsync(); // the namespace, and the tmpfs with it, ends with the process
    }

    private string Inside(string name) => $"/proc/{_process.Id}/root{_mountPoint}/{name}";
}
