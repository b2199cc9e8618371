using System.Diagnostics;

namespace Analytics.AspNetCore;

/// <summary>
/// The wall-clock time of a request, derived from the stopwatch timestamp the middleware reads anyway for the duration:
/// one clock read per request instead of two. The wall clock is read again at most once a second, so a clock step
/// (NTP, a suspended VM) shows within a second and the drift between reads is the stopwatch's, microseconds. Any
/// <see cref="TimeProvider"/> other than the system's (a test's fake clock) is asked every time.
/// </summary>
internal sealed class RequestClock(TimeProvider timeProvider)
{
    private static readonly long ResyncAfter = Stopwatch.Frequency; // one second of stopwatch ticks

    private readonly bool _system = ReferenceEquals(timeProvider, TimeProvider.System);
    private Anchor? _anchor;

    /// <summary>Gets the UTC time at <paramref name="timestamp"/>, a <see cref="Stopwatch.GetTimestamp"/> taken just now.</summary>
    public DateTimeOffset UtcNow(long timestamp)
    {
        if (!_system)
        {
            return timeProvider.GetUtcNow();
        }

        var anchor = Volatile.Read(ref _anchor);
        if (anchor is null || timestamp - anchor.Timestamp >= ResyncAfter)
        {
            anchor = new Anchor(Stopwatch.GetTimestamp(), timeProvider.GetUtcNow());
            Volatile.Write(ref _anchor, anchor);
        }

        // Negative when another request set a newer anchor after this timestamp was taken: a few microseconds back.
        return anchor.Utc + Stopwatch.GetElapsedTime(anchor.Timestamp, timestamp);
    }

    private sealed record Anchor(long Timestamp, DateTimeOffset Utc);
}
