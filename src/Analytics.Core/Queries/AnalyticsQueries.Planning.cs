using System.Runtime.CompilerServices;
using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>Validating a query and planning its reads: the granularity, the range and the rollup reads that answer it.</summary>
internal sealed partial class AnalyticsQueries
{
    /// <summary>
    /// The reads that answer a total over the plan's range, where no answer has a point per bucket. A range that holds
    /// whole buckets of the next coarser granularity reads those from the coarser rollups and only its ragged ends at
    /// the plan's: whole UTC days from day rows in a range of hours, whole hours from hour rows in a range of minutes.
    /// A coarser row is the exact merge of its finer ones (all built from the same minutes in the same transaction), so
    /// counts, sums and sketches come out the same from a fraction of the rows (7 days: about 6 × 53 day rows and
    /// 24 × 53 hour rows on the benchmark database, instead of 168 × 53; 6 hours: 5 × 58 hour rows and at most 119 × 28
    /// minute rows instead of 360 × 28). Only bucket times lose precision in the middle part: a caller that reports
    /// them narrows with <see cref="NarrowAsync"/>. A granularity the caller chose is read as chosen.
    /// </summary>
    private IEnumerable<RollupQuery> TotalReads(AnalyticsQuery query, QueryPlan plan, RollupQuery whole)
    {
        if (query.Granularity is not null || plan.Granularity == Granularity.Day)
        {
            yield return whole;
            yield break;
        }

        var (coarse, kept) = plan.Granularity == Granularity.Minute ? (Granularity.Hour, _retention.Hour) : (Granularity.Day, _retention.Day);
        var first = coarse.Ceiling(plan.From);
        var last = coarse.Floor(plan.To);
        if (last <= first || first < _timeProvider.GetUtcNow() - kept)
        {
            yield return whole;
            yield break;
        }

        if (plan.From < first)
        {
            yield return whole with { To = first };
        }

        yield return whole with { Granularity = coarse, From = first, To = last };
        if (last < plan.To)
        {
            yield return whole with { From = last };
        }
    }

    /// <summary>
    /// The start of the first (or the end of the last) bucket at the plan's granularity with rows of a read narrowed
    /// to one consumer or release, within one coarser bucket that <see cref="TotalReads"/> read whole: the same bucket
    /// times as a read at the plan's granularity alone. Costs one read of that bucket's finer rows, summed per bucket by
    /// the store when it can (a day of hours: at most 24 rows instead of one per route, method, code and release).
    /// </summary>
    private async Task<DateTimeOffset?> NarrowAsync(
        RollupQuery narrowed, Granularity coarse, DateTimeOffset coarseStart, bool first, CancellationToken cancellationToken)
    {
        DateTimeOffset? found = null;
        var finer = narrowed with
        {
            Granularity = coarse == Granularity.Day ? Granularity.Hour : Granularity.Minute,
            From = coarseStart,
            To = coarseStart + coarse.BucketSize(),
            IncludeSketches = false,
            IncludeCardinality = false,
        };
        var buckets = _counts is { } counts && finer.Consumer is null
            ? counts.ReadRequestCountsByBucketAsync(finer, cancellationToken)
            : ReadRollupsAsync(finer, cancellationToken).Select(static row => new BucketCount(row.BucketStart, row.Count));
        await foreach (var bucket in buckets.ConfigureAwait(false))
        {
            var time = first ? bucket.BucketStart : bucket.BucketStart + finer.Granularity.BucketSize();
            if (found is not { } known || (first ? time < known : time > known))
            {
                found = time;
            }
        }

        return found;
    }

    /// <summary>The rows of every read <see cref="TotalReads"/> chooses, one read after the other.</summary>
    private async IAsyncEnumerable<RequestRollup> ReadTotalRowsAsync(
        AnalyticsQuery query, QueryPlan plan, RollupQuery whole, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var read in TotalReads(query, plan, whole))
        {
            await foreach (var row in ReadRollupsAsync(read, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }
        }
    }

    /// <summary>
    /// The request rollups of a read: the per-consumer ones when it names a consumer (the plan has checked that the store
    /// keeps them), else the ordinary ones, which count every request whoever called.
    /// </summary>
    private IAsyncEnumerable<RequestRollup> ReadRollupsAsync(RollupQuery read, CancellationToken cancellationToken) =>
        read.Consumer is not null && _consumers is { } consumers
            ? consumers.ReadConsumerRollupsAsync(read, cancellationToken)
            : _store.ReadRequestRollupsAsync(read, cancellationToken);

    internal static double ToMilliseconds(double microseconds) => microseconds / 1_000;

    private static string? Normalize(string? filter) => string.IsNullOrWhiteSpace(filter) ? null : filter;

    private static int ValidateLimit(AnalyticsQuery query, int defaultLimit) =>
        ValidateLimit(query.Limit, defaultLimit, nameof(AnalyticsQuery.Limit));

    private static int ValidateLimit(int? requested, int defaultLimit, string parameter)
    {
        int limit = requested ?? defaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            throw new ArgumentOutOfRangeException(parameter, limit, $"Limit must be between 1 and {MaxLimit}.");
        }

        return limit;
    }

    private static QueryFilters Validate(AnalyticsQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.From < Earliest)
        {
            throw new ArgumentOutOfRangeException(nameof(AnalyticsQuery.From), query.From, "From must not be before 1970-01-01.");
        }

        if (query.To > Latest)
        {
            throw new ArgumentOutOfRangeException(nameof(AnalyticsQuery.To), query.To, "To must not be after 9999-12-30.");
        }

        if (query.From > query.To)
        {
            throw new ArgumentException($"From ({query.From:O}) must not be after To ({query.To:O}).", nameof(AnalyticsQuery.From));
        }

        if (query.Granularity is { } forced && !forced.IsDefined())
        {
            throw new ArgumentOutOfRangeException(nameof(AnalyticsQuery.Granularity), forced, "Granularity must be Minute, Hour or Day.");
        }

        if (query.Kind is { } kind && !Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(AnalyticsQuery.Kind), kind, "Kind must be Http, WebSocket, Grpc or ServerSentEvents.");
        }

        if (!Enum.IsDefined(query.Compare))
        {
            throw new ArgumentOutOfRangeException(
                nameof(AnalyticsQuery.Compare), query.Compare, "Compare must be None, PreviousPeriod or PreviousRelease.");
        }

        string? consumer = Normalize(query.Consumer);
        if (consumer is { Length: > RequestAnalyticsDefaults.MaxConsumerLength })
        {
            throw new ArgumentException(
                $"A consumer is at most {RequestAnalyticsDefaults.MaxConsumerLength} characters, as recorded.", nameof(AnalyticsQuery.Consumer));
        }

        string? release = Normalize(query.Release);
        if (release is { Length: > RequestAnalyticsDefaults.MaxReleaseLength })
        {
            throw new ArgumentException(
                $"A release is at most {RequestAnalyticsDefaults.MaxReleaseLength} characters, as recorded.", nameof(AnalyticsQuery.Release));
        }

        StatusFilter? status = null;
        if (Normalize(query.Status) is { } text && !StatusFilter.TryParse(text.Trim(), out status))
        {
            throw new ArgumentException(
                $"Status '{text}' is neither a status code from 100 to 599 nor a class such as 5xx.",
                nameof(AnalyticsQuery.Status));
        }

        return new QueryFilters(
            Normalize(query.Route),
            Normalize(query.Method)?.Trim().ToUpperInvariant(),
            status,
            Normalize(query.Environment),
            Normalize(query.Instance),
            query.Kind,
            consumer,
            release);
    }

    /// <param name="query">The query.</param>
    /// <param name="coarsest">The coarsest granularity the answer can use.</param>
    /// <param name="perBucket">Whether the answer has a point per bucket, which bounds the bucket count.</param>
    /// <param name="requests">
    /// Whether the read is of requests, which alone are kept per consumer and release; the others (custom events, process
    /// health, error groups) refuse those filters rather than answer unfiltered numbers.
    /// </param>
    private QueryPlan Plan(AnalyticsQuery query, Granularity coarsest = Granularity.Day, bool perBucket = false, bool requests = true)
    {
        var filters = Validate(query);
        if (!requests && filters.Consumer is not null)
        {
            throw new ArgumentException(
                "Consumers are kept for requests only: custom events, process health and error groups cannot be read per consumer.",
                nameof(AnalyticsQuery.Consumer));
        }

        if (!requests && filters.Release is not null)
        {
            throw new ArgumentException(
                "Releases are kept for requests only: custom events, process health and error groups cannot be read per release.",
                nameof(AnalyticsQuery.Release));
        }

        if (filters.Consumer is not null && _consumers is null)
        {
            throw new ArgumentException(
                "The analytics store does not keep per-consumer rollups (StoreCapabilities.Consumers), so requests cannot be read per consumer.",
                nameof(AnalyticsQuery.Consumer));
        }
        var granularity = query.Granularity ?? ChooseGranularity(query, coarsest);
        var from = granularity.Floor(query.From);
        var to = granularity.Ceiling(query.To);
        long buckets = (to - from).Ticks / granularity.BucketSize().Ticks;

        // Only answers with a point per bucket grow with the bucket count; totals over any range are fine.
        if (perBucket && buckets > MaxBuckets)
        {
            throw query.Granularity is null
                ? new ArgumentException(
                    $"The range covers {buckets} days; at most {MaxBuckets} buckets can be read at once. " +
                    "Choose a shorter range.",
                    nameof(AnalyticsQuery.From))
                : new ArgumentException(
                    $"The range needs {buckets} {granularity.ToWireName()} buckets; " +
                    $"at most {MaxBuckets} can be read at once. Choose a coarser granularity or a shorter range.",
                    nameof(AnalyticsQuery.Granularity));
        }

        return new QueryPlan(granularity, from, to, (int)Math.Min(buckets, int.MaxValue), filters);
    }

    /// <summary>The coarsest granularity that answers the range (DESIGN §3), made coarser when the finer one has already been purged.</summary>
    private Granularity ChooseGranularity(AnalyticsQuery query, Granularity coarsest)
    {
        var span = query.To - query.From;
        var granularity = span <= MinuteRangeLimit ? Granularity.Minute : span <= HourRangeLimit ? Granularity.Hour : Granularity.Day;
        var now = _timeProvider.GetUtcNow();
        if (granularity == Granularity.Minute && query.From < now - _retention.Minute)
        {
            granularity = Granularity.Hour;
        }

        if (granularity == Granularity.Hour && query.From < now - _retention.Hour)
        {
            granularity = Granularity.Day;
        }

        return granularity > coarsest ? coarsest : granularity;
    }
}
