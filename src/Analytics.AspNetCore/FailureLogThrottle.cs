namespace Analytics.AspNetCore;

/// <summary>
/// Counts the failures of something that runs often (a consumer resolver on every request, a health-check report every
/// few seconds) and lets one in each interval through to the log, with how many came since the last: a dependency that
/// fails for an hour writes sixty lines, not a line per call. Thread-safe without a lock.
/// </summary>
internal sealed class FailureLogThrottle(TimeProvider timeProvider, TimeSpan interval)
{
    private long _unreported;
    private long _lastLogTimestamp;

    /// <summary>
    /// Counts one failure; returns how many to report (this one included) when it is time to log, or 0 when it is not.
    /// </summary>
    public long Count()
    {
        Interlocked.Increment(ref _unreported);
        var now = timeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _lastLogTimestamp);
        if ((last != 0 && timeProvider.GetElapsedTime(last, now) < interval)
            || Interlocked.CompareExchange(ref _lastLogTimestamp, now, last) != last)
        {
            return 0; // reported with the next line
        }

        return Interlocked.Exchange(ref _unreported, 0);
    }
}
