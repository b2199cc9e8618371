using System.Diagnostics;
using System.Globalization;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// Waits until the machine's processors are idle, read from the first line of <c>/proc/stat</c>. On two cores, closing a
/// browser profile (its renderer and network processes exiting) takes the CPU for about half a second; a page timed
/// while that happens measures the teardown, not the page.
/// </summary>
internal static class QuietMachine
{
    /// <summary>
    /// Waits until at least <paramref name="minimumIdle"/> of the processor time over one 100 ms window was idle, and
    /// says how long that took, or <see langword="null"/> when it never was before the deadline (or there is no /proc).
    /// </summary>
    public static async Task<TimeSpan?> WaitAsync(double minimumIdle, TimeSpan deadline)
    {
        var stopwatch = Stopwatch.StartNew();
        if (Read() is not { } previous)
        {
            return null;
        }

        while (stopwatch.Elapsed < deadline)
        {
            await Task.Delay(100); // the measuring window, not a pause standing in for a condition
            var current = Read()!.Value;
            long total = current.Total - previous.Total;
            if (total > 0 && (double)(current.Idle - previous.Idle) / total >= minimumIdle)
            {
                return stopwatch.Elapsed;
            }

            previous = current;
        }

        return null;
    }

    private static (long Idle, long Total)? Read()
    {
        const string path = "/proc/stat";
        if (!File.Exists(path))
        {
            return null;
        }

        using var reader = new StreamReader(path);
        var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (fields[3] + fields[4], fields.Sum()); // idle + iowait, out of every state
    }
}
