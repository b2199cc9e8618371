using Analytics.Storage;

namespace Analytics.ServiceLevels;

/// <summary>
/// Counts the good and the total requests of an objective over a span, from the request rollups: whole UTC days from the
/// day rollups, whole hours from the hour rollups, and only the ragged minutes at the ends from the minute rollups, so that
/// 30 days read at most 59 + 23 + 29 + 23 + 59 buckets of each route, method and status instead of 43 200 minutes.
/// Shared by <c>GET {prefix}/api/slos</c> and the <c>burnRate</c> alerts.
/// </summary>
internal sealed class SloMeter(IAnalyticsStore store, RetentionOptions retention)
{
    /// <summary>Counts the objective's requests in [from, to); both minute-aligned.</summary>
    /// <param name="slo">The objective.</param>
    /// <param name="filters">The environment, instance and release to read, each <see langword="null"/> for all.</param>
    /// <param name="from">The inclusive start.</param>
    /// <param name="to">The exclusive end.</param>
    /// <param name="now">Now, to tell which granularities are still kept at the start.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<SloCount> CountAsync(
        SloOptions slo,
        (string? Environment, string? Instance, string? Release) filters,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        double good = 0;
        long total = 0;
        double? threshold = slo.LatencyThreshold is { } latency ? latency.Ticks / (double)TimeSpan.TicksPerMicrosecond : null;
        var method = string.IsNullOrWhiteSpace(slo.Method) ? null : slo.Method.Trim().ToUpperInvariant();
        foreach (var (granularity, start, end) in Reads(from, to, now))
        {
            var read = new RollupQuery
            {
                Granularity = granularity,
                From = start,
                To = end,
                Route = string.IsNullOrWhiteSpace(slo.Route) ? null : slo.Route,
                Method = method,
                Environment = filters.Environment,
                Instance = filters.Instance,
                Release = filters.Release,
                IncludeSketches = threshold is not null,

                // Availability only adds counts and errors, which the per-bucket totals hold in a few rows (a store
                // without them, or a read naming a route or method, gets the rollups). A latency objective weighs each
                // row's sketch by that row's own success share, so it needs the rows themselves.
                BucketTotals = threshold is null,
            };
            await foreach (var row in store.ReadRequestRollupsAsync(read, cancellationToken).ConfigureAwait(false))
            {
                if (threshold is { } limit)
                {
                    // A connection's lifetime is not a latency: latency objectives leave long-lived requests out, as the
                    // latency figures do. Of a row with some failures, the successful share of its fast requests is good.
                    if (row.Kind.IsLongLived())
                    {
                        continue;
                    }

                    total += row.Count;
                    if (row.Errors < row.Count && row.Latency is { } sketch)
                    {
                        good += sketch.CountInBucketsAtOrBelow(limit) * ((double)(row.Count - row.Errors) / row.Count);
                    }
                }
                else
                {
                    total += row.Count;
                    good += row.Count - row.Errors;
                }
            }
        }

        return new SloCount(good, total);
    }

    /// <summary>
    /// The reads that cover [from, to): minutes up to the first whole hour, hours up to the first whole day, days, then
    /// hours and minutes again up to the end. A start older than the minute (or hour) retention is moved back to its hour
    /// (or day), which is then read whole: the finest figures still kept.
    /// </summary>
    internal IEnumerable<(Granularity Granularity, DateTimeOffset From, DateTimeOffset To)> Reads(
        DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        if (from < now - retention.Minute)
        {
            from = Granularity.Hour.Floor(from);
        }

        if (from < now - retention.Hour)
        {
            from = Granularity.Day.Floor(from);
        }

        var firstHour = Granularity.Hour.Ceiling(from);
        var lastHour = Granularity.Hour.Floor(to);
        if (firstHour >= lastHour)
        {
            if (from < to)
            {
                yield return (Granularity.Minute, from, to);
            }

            yield break;
        }

        if (from < firstHour)
        {
            yield return (Granularity.Minute, from, firstHour);
        }

        var firstDay = Granularity.Day.Ceiling(firstHour);
        var lastDay = Granularity.Day.Floor(lastHour);
        if (firstDay < lastDay)
        {
            if (firstHour < firstDay)
            {
                yield return (Granularity.Hour, firstHour, firstDay);
            }

            yield return (Granularity.Day, firstDay, lastDay);
            if (lastDay < lastHour)
            {
                yield return (Granularity.Hour, lastDay, lastHour);
            }
        }
        else
        {
            yield return (Granularity.Hour, firstHour, lastHour);
        }

        if (lastHour < to)
        {
            yield return (Granularity.Minute, lastHour, to);
        }
    }
}

/// <summary>The good and total requests of an objective over a span; good is fractional where a row had some failures.</summary>
internal readonly record struct SloCount(double Good, long Total)
{
    /// <summary>Gets the share of bad requests over the share the objective allows, or <see langword="null"/> without requests.</summary>
    public double? BurnRate(double objective) => Total == 0 ? null : (1 - (Good / Total)) / (1 - objective);
}
