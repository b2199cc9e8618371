using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>
/// What an answer is compared with (<see cref="AnalyticsQuery.Compare"/>): the same query over the range just before,
/// or over the traffic of the release before the newest one.
/// </summary>
internal sealed partial class AnalyticsQueries
{
    /// <summary>
    /// Gets the query whose answer is the compared one, or <see langword="null"/> when there is nothing to compare with.
    /// It reads the plan's granularity over as many buckets as the plan, so that counts are comparable.
    /// </summary>
    private async Task<AnalyticsQuery?> PreviousQueryAsync(AnalyticsQuery query, QueryPlan plan, CancellationToken cancellationToken)
    {
        var span = plan.To - plan.From;
        switch (query.Compare)
        {
            case AnalyticsComparison.PreviousPeriod when plan.From - Earliest >= span:
                return query with { From = plan.From - span, To = plan.From, Granularity = plan.Granularity, Compare = AnalyticsComparison.None };
            case AnalyticsComparison.PreviousRelease:
                if (await PreviousReleaseAsync(plan, cancellationToken).ConfigureAwait(false) is not { } previous)
                {
                    return null;
                }

                var to = plan.Granularity.Ceiling(previous.LastSeen);
                return to - Earliest < span ? null : query with
                {
                    Release = previous.Release,
                    From = to - span,
                    To = to,
                    Granularity = plan.Granularity,
                    Compare = AnalyticsComparison.None,
                };
            default:
                return null;
        }
    }

    /// <summary>
    /// Finds the release seen before the newest one of the plan's range, and when it was last seen. Releases are ordered
    /// by when they were first seen over the retained data: day rows tell them apart cheaply, and the days where the
    /// order is decided are read again at the finest granularity still kept there.
    /// </summary>
    private async Task<(string Release, DateTimeOffset LastSeen)?> PreviousReleaseAsync(QueryPlan plan, CancellationToken cancellationToken)
    {
        var inRange = await ReleaseTotalsAsync(plan.Rollups(includeSketches: false), cancellationToken).ConfigureAwait(false);
        if (inRange.Count == 0)
        {
            return null;
        }

        string newest = inRange
            .OrderByDescending(r => r.Value.First).ThenByDescending(r => r.Value.Last).ThenByDescending(r => r.Key, StringComparer.Ordinal)
            .First().Key;
        var now = _timeProvider.GetUtcNow();
        var longest = new[] { _retention.Minute, _retention.Hour, _retention.Day }.Max();
        var retained = plan.Rollups(includeSketches: false) with
        {
            Granularity = Granularity.Day,
            From = Granularity.Day.Floor(now - longest > Earliest ? now - longest : Earliest),
            To = Granularity.Day.Ceiling(now),
            Release = null,
        };
        var days = await ReleaseTotalsAsync(retained, cancellationToken).ConfigureAwait(false);
        if (!days.TryGetValue(newest, out var newestDays))
        {
            return null; // the range is older than the day rollups kept
        }

        // Only the releases first seen on the newest one's first day or on the latest day before it can be the one before.
        var earlier = days.Where(d => d.Key != newest && d.Value.First <= newestDays.First).ToList();
        if (earlier.Count == 0)
        {
            return null;
        }

        var latestDayBefore = earlier
            .Where(d => d.Value.First < newestDays.First).Select(d => d.Value.First).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var newestFirst = await PreciseAsync(retained, newest, newestDays.First, first: true, cancellationToken).ConfigureAwait(false);
        (string Release, DateTimeOffset First)? previous = null;
        foreach (var (release, seen) in earlier.Where(d => d.Value.First == newestDays.First || d.Value.First == latestDayBefore))
        {
            var first = await PreciseAsync(retained, release, seen.First, first: true, cancellationToken).ConfigureAwait(false);
            if (first < newestFirst && (previous is not { } best || first > best.First
                || (first == best.First && string.CompareOrdinal(release, best.Release) > 0)))
            {
                previous = (release, first);
            }
        }

        if (previous is not { } found)
        {
            return null;
        }

        var lastDay = days[found.Release].Last - Granularity.Day.BucketSize();
        var last = await PreciseAsync(retained, found.Release, lastDay, first: false, cancellationToken).ConfigureAwait(false);
        return (found.Release, last);
    }

    /// <summary>
    /// Gets when a release was first (or last) seen on one UTC day, from the finest rollups kept for the whole day: the
    /// start of its first bucket or the end of its last. Without finer rows, the day's start or end.
    /// </summary>
    private async Task<DateTimeOffset> PreciseAsync(
        RollupQuery retained, string release, DateTimeOffset day, bool first, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var granularity = day >= now - _retention.Minute ? Granularity.Minute
            : day >= now - _retention.Hour ? Granularity.Hour
            : Granularity.Day;
        var end = day + Granularity.Day.BucketSize();
        if (granularity == Granularity.Day)
        {
            return first ? day : end;
        }

        var seen = new SeenTotals(kindChosen: false);
        await foreach (var row in ReadRollupsAsync(
            retained with { Granularity = granularity, From = day, To = end, Release = release }, cancellationToken).ConfigureAwait(false))
        {
            seen.Seen(row);
        }

        return seen.First > seen.Last ? (first ? day : end) : first ? seen.First : seen.Last;
    }
}
