using System.Diagnostics;
using System.Globalization;
using Analytics.Testing;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// Waits until the machine's processors are idle, read from the first line of <c>/proc/stat</c>. On two cores, closing a
/// browser profile (its renderer and network processes exiting) takes the CPU for about half a second; a page timed
/// while that happens measures the teardown, not the page.
/// </summary>
internal static class QuietMachine
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Waits until at least <paramref name="minimumIdle"/> of the processor time over one 100 ms window was idle, and
    /// says how long that took, or <see langword="null"/> when it never was before the deadline (or there is no /proc).
    /// </summary>
    public static async Task<TimeSpan?> WaitAsync(double minimumIdle, TimeSpan deadline)
    {
        if (Read() is not { } previous)
        {
            return null;
        }

        var waited = Stopwatch.StartNew();
        var window = Stopwatch.StartNew();
        bool Quiet()
        {
            if (window.Elapsed < Window)
            {
                return false;
            }

            var current = Read()!.Value;
            long total = current.Total - previous.Total;
            bool quiet = total > 0 && (double)(current.Idle - previous.Idle) / total >= minimumIdle;
            previous = current;
            window.Restart();
            return quiet;
        }

        try
        {
            await Wait.UntilAsync(Quiet, deadline, "the processors are idle");
            return waited.Elapsed;
        }
        catch (TimeoutException)
        {
            return null;
        }
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
