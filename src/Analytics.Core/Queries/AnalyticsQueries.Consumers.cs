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

        // Read at the plan's granularity alone (not whole days from day rows) so first and last seen keep its precision.
        var releases = await ReleaseTotalsAsync(plan.Rollups(includeSketches: true), cancellationToken).ConfigureAwait(false);
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
        var read = plan.Rollups(includeSketches: true);
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

        return consumers;
    }

    /// <summary>The rows of one read grouped by release; rows written before releases were recorded (no or an empty release) are left out.</summary>
    private async Task<Dictionary<string, SeenTotals>> ReleaseTotalsAsync(RollupQuery read, CancellationToken cancellationToken)
    {
        var releases = new Dictionary<string, SeenTotals>(StringComparer.Ordinal);
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

        return releases;
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
