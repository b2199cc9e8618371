using System.Diagnostics;

namespace Analytics.Testing;

/// <summary>Waits on a condition with a deadline, never a fixed sleep.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting until {because}.");
            }

            // Yield to the pipeline for a moment; the deadline, not this pause, bounds the test.
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Waits on a condition that has to ask something asynchronously (the API, the store), asking again every
    /// <paramref name="interval"/> (10 ms unless given: a costly question, asked for a minute, is asked less often).
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because, TimeSpan? interval = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting until {because}.");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(10));
        }
    }

    public static TempDirectory TempDirectory() => new();
}

/// <summary>A temporary folder removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "analytics-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a host being torn down; the OS temp cleaner gets it.
        }
    }
}
