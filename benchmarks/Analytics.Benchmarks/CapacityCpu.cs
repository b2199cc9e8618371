using System.Diagnostics;
using System.Globalization;

namespace Analytics.Benchmarks;

/// <summary>
/// CPU counters read from <c>/proc</c> at the start and the end of the capacity run's window: the PostgreSQL cluster's
/// (the postmaster and every child of it: backends, WAL writer, checkpointer, autovacuum), this process's (the simulated
/// instances), and the machine's busy time, which says whether the two cores ran out during the window.
/// </summary>
internal readonly record struct CapacityCpu(
    long PostgresTicks, int PostgresProcesses, TimeSpan Client, long MachineBusyTicks, long MachineTicks, long Timestamp)
{
    // USER_HZ, the unit of /proc's CPU times: 100 on every Linux architecture .NET runs on.
    public const double TicksPerSecond = 100;

    /// <summary>Reads the counters now; <paramref name="postmasterPid"/> is the cluster's first process.</summary>
    public static CapacityCpu Read(int postmasterPid)
    {
        var ticks = PostgresTicksOf(postmasterPid, out var processes);
        return new(ticks, processes, Process.GetCurrentProcess().TotalProcessorTime, MachineBusy(out var total), total, Stopwatch.GetTimestamp());
    }

    /// <summary>Reads the postmaster's pid from the first line of <c>data/postmaster.pid</c> in the cluster's folder.</summary>
    public static int PostmasterPid(string clusterDirectory)
    {
        var file = Path.Combine(clusterDirectory, "data", "postmaster.pid");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"No {file}: ANALYTICS_POSTGRES_DIR must name the folder tests/postgres-server.sh printed.");
        }

        return int.Parse(File.ReadLines(file).First(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The postmaster's own time and its reaped children's (cutime, cstime: backends that exited), plus the time of every
    /// child still running. A backend that exits inside the window moves from the second sum to the first, so the
    /// difference of two readings is the cluster's CPU in between, whoever connected or left.
    /// </summary>
    private static long PostgresTicksOf(int postmasterPid, out int processes)
    {
        processes = 1;
        if (!TryReadStat(postmasterPid.ToString(CultureInfo.InvariantCulture), out _, out var own, out var reaped))
        {
            throw new InvalidOperationException($"PostgreSQL's postmaster (pid {postmasterPid}) is not running.");
        }

        var total = own + reaped;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(directory);
            if (pid.Length > 0 && char.IsAsciiDigit(pid[0]) && TryReadStat(pid, out var parent, out var time, out _) && parent == postmasterPid)
            {
                total += time;
                processes++;
            }
        }

        return total;
    }

    private static bool TryReadStat(string pid, out int parent, out long own, out long reaped)
    {
        parent = 0;
        own = reaped = 0;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // exited since the listing
        }

        // After "pid (comm) ": state is field 3, so field n is at n - 3. The command may hold spaces and parentheses.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
        own = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        reaped = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return true;
    }

    private static long MachineBusy(out long total)
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice": guest time is already in user.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = fields.Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        total = values.Sum();
        return total - values[3] - values[4];
    }
}
