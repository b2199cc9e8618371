using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.AspNetCore.Tests.Recording;

/// <summary>The request's wall-clock time, derived from the stopwatch read the middleware takes anyway.</summary>
public sealed class RequestClockTests
{
    [Fact]
    public void AnyClockButTheSystemsIsAskedEveryTime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        var clock = new RequestClock(time);

        var first = clock.UtcNow(Stopwatch.GetTimestamp());
        time.Advance(TimeSpan.FromHours(3));
        var later = clock.UtcNow(Stopwatch.GetTimestamp());

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), first);
        Assert.Equal(first.AddHours(3), later);
    }

    [Fact]
    public void TheSystemClockIsFollowedToWithinAMillisecondAndNeverRunsBackwardsBetweenAnchors()
    {
        var clock = new RequestClock(TimeProvider.System);
        var previous = DateTimeOffset.UtcNow.AddMinutes(-1);
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 5 / 2); // across two re-anchorings
        int checks = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var before = DateTimeOffset.UtcNow;
            var derived = clock.UtcNow(Stopwatch.GetTimestamp());
            var after = DateTimeOffset.UtcNow;

            Assert.InRange(derived, before.AddMilliseconds(-1), after.AddMilliseconds(1));
            Assert.Equal(TimeSpan.Zero, derived.Offset);
            Assert.True(derived >= previous.AddMilliseconds(-1), $"{derived:O} after {previous:O}");
            previous = derived;
            checks++;
        }

        Assert.True(checks > 1_000, $"{checks} checks");
    }
}
