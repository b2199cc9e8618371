using Analytics.Storage;

namespace Analytics.Testing;

/// <summary>Filtering and paging, as a database's <c>WHERE</c>, <c>ORDER BY</c> and <c>LIMIT</c> would.</summary>
public partial class FakeStore
{
    private List<RequestRollup> ReadRequestRollups(RollupQuery query)
    {
        lock (_gate)
        {
            return [.. _requestRollups.Values.Where(r => Matches(query, r))];
        }
    }

    /// <summary>
    /// A raw page: newest first by (timestamp, id), continuing strictly after the row <see cref="RawQuery.Before"/>
    /// names.
    /// </summary>
    private static List<T> Page<T>(
        List<T> rows, Func<T, long> id, Func<T, DateTimeOffset> time, RawQuery query, Func<T, bool> matches)
    {
        (DateTimeOffset Time, long Id)? cursor = null;
        if (query.Before is { } before)
        {
            int index = rows.FindIndex(r => id(r) == before);
            if (index < 0)
            {
                return []; // the previous page's last row is gone: retention deleted it, and everything older with it
            }

            cursor = (time(rows[index]), before);
        }

        return [.. rows
            .Where(r => (query.From is not { } from || time(r) >= from) && (query.To is not { } to || time(r) < to))
            .Where(r => cursor is not { } c || time(r) < c.Time || (time(r) == c.Time && id(r) < c.Id))
            .Where(matches)
            .OrderByDescending(time)
            .ThenByDescending(id)
            .Take(query.Limit)];
    }

    private static bool Matches(RawQuery query, RequestRecord r) =>
        (query.Route is null || query.Route == r.Route)
        && (query.Method is null || query.Method == r.Method)
        && (query.MinStatusCode is null || r.StatusCode >= query.MinStatusCode)
        && (query.MaxStatusCode is null || r.StatusCode <= query.MaxStatusCode)
        && (query.Kind is null || query.Kind == r.Kind)
        && (query.Consumer is null || query.Consumer == r.Consumer)
        && (query.Release is null || query.Release == r.Release)
        && Matches(query.Environment, query.Instance, r.Environment, r.Instance);

    private static bool Matches(RawQuery query, EventRecord e) =>
        (query.EventName is null || query.EventName == e.Name)
        && (query.Consumer is null || query.Consumer == e.Consumer)
        && (query.Release is null || query.Release == e.Release)
        && Matches(query.Environment, query.Instance, e.Environment, e.Instance);

    // A request rollup has no consumer: RollupQuery.Consumer filters the per-consumer rollups only.
    private static bool Matches(RollupQuery query, RequestRollup r) =>
        InRange(query, r.Granularity, r.BucketStart)
        && Matches(query, r.Route, r.Method, r.StatusCode, r.Kind)
        && (query.Release is null || query.Release == r.Release)
        && (r.Consumer is null || query.Consumer is null || query.Consumer == r.Consumer)
        && Matches(query.Environment, query.Instance, r.Environment, r.Instance);

    private static bool Matches(RollupQuery query, ErrorRollup r) =>
        InRange(query, r.Granularity, r.BucketStart)
        && Matches(query, r.Route, r.Method, r.StatusCode, r.Kind)
        && Matches(query.Environment, query.Instance, r.Environment, r.Instance);

    private static bool Matches(RollupQuery query, EventRollup r) =>
        InRange(query, r.Granularity, r.BucketStart)
        && (query.EventName is null || query.EventName == r.Name)
        && Matches(query.Environment, query.Instance, r.Environment, r.Instance);

    private static bool Matches(RollupQuery query, string route, string method, int status, RequestKind kind) =>
        (query.Route is null || query.Route == route)
        && (query.Method is null || query.Method == method)
        && (query.MinStatusCode is null || status >= query.MinStatusCode)
        && (query.MaxStatusCode is null || status <= query.MaxStatusCode)
        && (query.Kind is null || query.Kind == kind);

    private static bool Matches(string? environment, string? instance, string? rowEnvironment, string? rowInstance) =>
        (environment is null || environment == rowEnvironment) && (instance is null || instance == rowInstance);

    private static bool InRange(RollupQuery query, Granularity granularity, DateTimeOffset bucketStart) =>
        granularity == query.Granularity && bucketStart >= query.From && bucketStart < query.To;

    private static void ThrowIfOutOfRange(int limit)
    {
        if (limit is < 1 or > MaxRawLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"Limit must be between 1 and {MaxRawLimit}.");
        }
    }
}
