namespace Analytics.Pipeline;

/// <summary>
/// How the writer waits after a failed batch, and when it gives the batch up. Exponential from <see cref="FirstDelay"/>,
/// capped at <see cref="MaxDelay"/>; the batch is abandoned (and counted as dropped) after <see cref="MaxAttempts"/>
/// attempts, so a store that never recovers cannot hold memory forever, while an outage of a few minutes loses nothing
/// that was already dequeued. Pure: the writer does the waiting with its <see cref="TimeProvider"/>.
/// </summary>
internal sealed class WriteBackoff
{
    // 1, 2, 4, … 32, 60, 60, 60 s: ten attempts span about four minutes, long enough for a locked file or a restarting
    // database server, short enough that a broken store shows up as drops in the log quickly.
    public static readonly WriteBackoff Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), maxAttempts: 10);

    public WriteBackoff(TimeSpan firstDelay, TimeSpan maxDelay, int maxAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, firstDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        FirstDelay = firstDelay;
        MaxDelay = maxDelay;
        MaxAttempts = maxAttempts;
    }

    public TimeSpan FirstDelay { get; }

    public TimeSpan MaxDelay { get; }

    public int MaxAttempts { get; }

    /// <summary>The wait after the given number of consecutive failed attempts (1 for the first failure).</summary>
    public TimeSpan GetDelay(int failedAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);

        // Doubling past 2^30 overflows long before it matters; the cap is reached far earlier for any sane input.
        var exponent = Math.Min(failedAttempts - 1, 30);
        var ticks = FirstDelay.Ticks * (double)(1L << exponent);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Whether a batch that failed this many times in a row should be given up.</summary>
    public bool ShouldAbandon(int failedAttempts) => failedAttempts >= MaxAttempts;
}
