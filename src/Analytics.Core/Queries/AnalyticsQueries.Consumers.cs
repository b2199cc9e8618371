using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>
/// Consumers and releases (DESIGN §9): the per-consumer rollups grouped by consumer, the request rollups grouped by
/// release.
/// </summary>
internal sealed partial class AnalyticsQueries
{
    public async Task<IReadOnlyList<ConsumerStats>> GetConsumersAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query);
        int limit = ValidateLimit(query, 20);
        if (_consumers is null)
        {
            return []; // a store without per-consumer rollups has no consumer to list (StoreCapabilities.Consumers)
        }

        var consumers = await ConsumerTotalsAsync(query, plan, cancellationToken).ConfigureAwait(false);
        var earlier = query.Compare == AnalyticsComparison.None ? null
            : await PreviousQueryAsync(query, plan, cancellationToken).ConfigureAwait(false);
        var earlierPlan = earlier is null ? null : Plan(earlier);
        var previous = earlier is null ? null : await ConsumerTotalsAsync(earlier, earlierPlan!, cancellationToken).ConfigureAwait(false);

        var now = _timeProvider.GetUtcNow();
        return consumers
            .OrderByDescending(c => c.Value.Totals.Count).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(limit)
            .Select(c => ToConsumerStats(c.Key, c.Value, plan.CoveredTo(now)) with
            {
                Previous = previous is not null && previous.TryGetValue(c.Key, out var before)
                    ? ToConsumerStats(c.Key, before, earlierPlan!.CoveredTo(now))
                    : null,
            })
            .ToArray();
    }

    public async Task<IReadOnlyList<ReleaseStats>> GetReleasesAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query);
        var read = plan.Rollups(includeSketches: true) with { BucketTotalsByRelease = true };
        var releases = new Dictionary<string, SeenTotals>(StringComparer.Ordinal);
        foreach (var part in TotalReads(query, plan, read))
        {
            await AddReleasesAsync(releases, part, cancellationToken).ConfigureAwait(false);
        }

        await NarrowSeenAsync(query, plan, releases, static (read, release) => read with { Release = release }, first: true, cancellationToken)
            .ConfigureAwait(false);
        var to = plan.CoveredTo(_timeProvider.GetUtcNow());
        return releases
            .OrderByDescending(r => r.Value.First).ThenByDescending(r => r.Value.Last).ThenByDescending(r => r.Key, StringComparer.Ordinal)
            .Select(r => new ReleaseStats
            {
                Release = r.Key,
                FirstSeen = r.Value.First,
                LastSeen = r.Value.Last < to ? r.Value.Last : to,
                Count = r.Value.Totals.Count,
                ErrorRate = r.Value.Totals.ErrorRate,
                P95 = r.Value.Totals.Quantile(0.95),
            })
            .ToArray();
    }

    private async Task<Dictionary<string, SeenTotals>> ConsumerTotalsAsync(
        AnalyticsQuery query, QueryPlan plan, CancellationToken cancellationToken)
    {
        var consumers = new Dictionary<string, SeenTotals>(StringComparer.Ordinal);

        // Only each bucket's sums per kind and consumer are needed: a store may answer from totals kept per consumer.
        var read = plan.Rollups(includeSketches: true) with { BucketTotals = true };
        foreach (var part in TotalReads(query, plan, read))
        {
            await foreach (var row in _consumers!.ReadConsumerRollupsAsync(part, cancellationToken).ConfigureAwait(false))
            {
                if (row.Consumer is not { } consumer)
                {
                    continue; // a per-consumer row always names one; a store that returned an ordinary row is ignored
                }

                if (!consumers.TryGetValue(consumer, out var totals))
                {
                    consumers.Add(consumer, totals = new SeenTotals(plan.Filters.Kind is not null));
                }

                totals.Add(row);
            }
        }

        await NarrowSeenAsync(query, plan, consumers, static (read, consumer) => read with { Consumer = consumer }, first: false, cancellationToken)
            .ConfigureAwait(false);
        return consumers;
    }

    /// <summary>
    /// Gives the first (with <paramref name="first"/>) and last seen times that came from the coarser rows
    /// <see cref="TotalReads"/> chose the precision of the plan's granularity, reading the finer rows of that one
    /// coarser bucket for that key: the answer is then the same as from the plan's granularity alone. A key first or
    /// last seen in a ragged end (on the benchmark database: every consumer and release still active) costs nothing.
    /// </summary>
    private async Task NarrowSeenAsync(
        AnalyticsQuery query,
        QueryPlan plan,
        Dictionary<string, SeenTotals> seen,
        Func<RollupQuery, string, RollupQuery> narrow,
        bool first,
        CancellationToken cancellationToken)
    {
        var read = plan.Rollups(includeSketches: false);
        if (TotalReads(query, plan, read).FirstOrDefault(r => r.Granularity != plan.Granularity) is not { } coarse)
        {
            return;
        }

        var size = coarse.Granularity.BucketSize();
        foreach (var (key, totals) in seen)
        {
            var one = narrow(coarse, key);
            DateTimeOffset? from = first && totals.First >= coarse.From && totals.First < coarse.To
                ? await NarrowAsync(one, coarse.Granularity, totals.First, first: true, cancellationToken).ConfigureAwait(false)
                : null;
            DateTimeOffset? to = totals.Last > coarse.From && totals.Last <= coarse.To
                ? await NarrowAsync(one, coarse.Granularity, totals.Last - size, first: false, cancellationToken).ConfigureAwait(false)
                : null;
            totals.Narrow(from, to);
        }
    }

    /// <summary>
    /// The rows of one read grouped by release (<see cref="AddReleasesAsync"/>), from per-release totals when the store
    /// keeps them.
    /// </summary>
    private async Task<Dictionary<string, SeenTotals>> ReleaseTotalsAsync(RollupQuery read, CancellationToken cancellationToken)
    {
        var releases = new Dictionary<string, SeenTotals>(StringComparer.Ordinal);
        await AddReleasesAsync(releases, read with { BucketTotalsByRelease = true }, cancellationToken).ConfigureAwait(false);
        return releases;
    }

    /// <summary>
    /// Adds the rows of one read grouped by release; rows written before releases were recorded (no or an empty
    /// release) are left out.
    /// </summary>
    private async Task AddReleasesAsync(Dictionary<string, SeenTotals> releases, RollupQuery read, CancellationToken cancellationToken)
    {
        await foreach (var row in ReadRollupsAsync(read, cancellationToken).ConfigureAwait(false))
        {
            if (row.Release is not { Length: > 0 } release)
            {
                continue;
            }

            if (!releases.TryGetValue(release, out var totals))
            {
                releases.Add(release, totals = new SeenTotals(read.Kind is not null));
            }

            totals.Add(row);
        }
    }

    private static ConsumerStats ToConsumerStats(string consumer, SeenTotals seen, DateTimeOffset coveredTo) => new()
    {
        Consumer = consumer,
        Count = seen.Totals.Count,
        Errors = seen.Totals.Errors,
        ErrorRate = seen.Totals.ErrorRate,
        Avg = seen.Totals.Avg,
        P95 = seen.Totals.Quantile(0.95),
        P99 = seen.Totals.Quantile(0.99),
        LastSeen = seen.Last < coveredTo ? seen.Last : coveredTo,
    };
}
