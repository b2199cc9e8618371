using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Analytics.Sql;
using Analytics.Storage;
using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite;

/// <summary>The read side's rollups: rollup rows and bucket totals filtered in SQL (raw pages: RawReads part).</summary>
internal sealed partial class SqliteAnalyticsStore
{
    public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRequestRollupsCoreAsync(query, cancellationToken);
    }

    public IAsyncEnumerable<RequestRollup> ReadConsumerRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRequestRollupsCoreAsync(query, cancellationToken, consumers: true);
    }

    /// <summary>
    /// The dashboard's main read, stepped natively (<see cref="SqliteRollupReader"/>): the request rollups, or the
    /// per-consumer rollups with the same columns and no cardinality sketches. Those are read through the index the
    /// planner picks: the consumer index for one consumer, the unique index for a range of every consumer.
    /// </summary>
    private async IAsyncEnumerable<RequestRollup> ReadRequestRollupsCoreAsync(
        RollupQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        bool consumers = false)
    {
        string latency = query.IncludeSketches ? "latency" : "NULL";
        if (ReadsTotals(query, consumers))
        {
            await foreach (var row in ReadRequestTotalsAsync(query, latency, consumers, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }

            yield break;
        }

        string from = consumers
            ? "NULL, NULL, NULL, release, consumer FROM consumer_rollups"
            : (query.IncludeCardinality ? "users, clients, consumers" : "NULL, NULL, NULL") +
                ", release, NULL FROM request_rollups INDEXED BY ux_request_rollups";
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = CreateRollupCommand(
            connection,
            $"SELECT {StoreRows.RequestRollupColumns}, {latency}, {from}",
            query,
            requests: true,
            keys: consumers ? RollupKeys.ReleaseAndConsumer : RollupKeys.Release);
        using var reader = new SqliteRollupReader(command);
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return reader.ReadRequestRollup(query.Granularity);
        }
    }

    /// <summary>
    /// Whether request_totals (or for per-consumer reads consumer_totals) answers the read: the caller asked for bucket
    /// totals and filters on nothing the totals lost (a kind and a release request_totals keep, a kind and a consumer
    /// consumer_totals keep). The overview and the time series read about 58 request rollup rows an hour on the
    /// benchmarks' 90-day database and 4 totals; each row costs about 5 µs with its sketches (benchmarks/README.md,
    /// "Queries on the 90-day database").
    /// </summary>
    internal static bool ReadsTotals(RollupQuery query, bool consumers = false) =>
        (query.BucketTotals || (query.BucketTotalsByRelease && !consumers))
            && IsTotalsFilter(query) && (!consumers || query.Release is null);

    /// <summary>Whether a read filters on nothing but what request_totals keep: the kind and the release.</summary>
    private static bool IsTotalsFilter(RollupQuery query) =>
        query is { Route: null, Method: null, MinStatusCode: null, MaxStatusCode: null, Environment: null, Instance: null };

    /// <summary>
    /// The totals of each bucket, kind and status class (or with <paramref name="consumers"/> of each bucket, kind and
    /// consumer, status 0), as rows with the other keys empty (<see cref="RollupQuery.BucketTotals"/>).
    /// </summary>
    private async IAsyncEnumerable<RequestRollup> ReadRequestTotalsAsync(
        RollupQuery query, string latency, bool consumers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string cardinality = query.IncludeCardinality && !consumers ? "users, clients, consumers" : "NULL, NULL, NULL";
        var (status, consumer, table) = consumers ? ("0", "consumer", "consumer_totals") : ("status_class * 100", "NULL", "request_totals");
        string release = query.BucketTotalsByRelease && !consumers ? "release" : "''";
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // Pinned to the unique index: the planner took request_totals' counts index too (same leading columns), and the
        // time series over 6 hours and 7 days came out 1.4 times slower in that order (query-sweep, same file).
        var sql = new StringBuilder(
            $"SELECT bucket_start, '', '', {status}, '', '', count, errors, duration_sum_us, duration_min_us, " +
            $"duration_max_us, request_bytes, response_bytes, kind, {latency}, {cardinality}, {release}, {consumer} " +
            $"FROM {table} INDEXED BY ux_{table} WHERE granularity = $granularity AND bucket_start >= $from AND bucket_start < $to");
        command.Parameters.AddWithValue("$granularity", (int)query.Granularity);
        command.Parameters.AddWithValue("$from", ToUnixMicroseconds(query.From));
        command.Parameters.AddWithValue("$to", ToUnixMicroseconds(query.To));
        if (query.Kind is { } kind)
        {
            sql.Append(" AND kind = $kind");
            command.Parameters.AddWithValue("$kind", (int)kind);
        }

        if (consumers && query.Consumer is { } name)
        {
            sql.Append(" AND consumer = $consumer");
            command.Parameters.AddWithValue("$consumer", name);
        }

        if (!consumers && query.Release is { } filter)
        {
            sql.Append(" AND release = $release");
            command.Parameters.AddWithValue("$release", filter);
        }

        command.CommandText = sql.Append(';').ToString();
        using var reader = new SqliteRollupReader(command);
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return reader.ReadRequestRollup(query.Granularity);
        }
    }

    public IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRollupsAsync(
            $"SELECT {StoreRows.ErrorRollupColumns} FROM error_rollups", query, requests: true,
            StoreRows.ReadErrorRollup, cancellationToken);
    }

    public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string duration = query.IncludeSketches ? "duration" : "NULL";
        return ReadRollupsAsync(
            $"SELECT {StoreRows.EventRollupColumns}, {duration} FROM event_rollups", query, requests: false,
            StoreRows.ReadEventRollup, cancellationToken);
    }

    public IAsyncEnumerable<BucketCount> ReadRequestCountsByBucketAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRollupsAsync(
            CountsByBucketSelect(query), query, requests: true,
            static (reader, _) => new BucketCount(FromUnixMicroseconds(reader.GetInt64(0)), reader.GetInt64(1)),
            cancellationToken, groupBy: "bucket_start", keys: RollupKeys.Release);
    }

    public IAsyncEnumerable<StatusCodeCount> ReadRequestCountsByStatusAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRollupsAsync(
            $"SELECT status, sum(count) FROM request_rollups INDEXED BY {CountsIndex(query)}", query, requests: true,
            static (reader, _) => new StatusCodeCount { StatusCode = reader.GetInt32(0), Count = reader.GetInt64(1) },
            cancellationToken, groupBy: "status", keys: RollupKeys.Release);
    }

    public IAsyncEnumerable<RouteBucket> ReadLatestBucketsByRouteAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        // The unique index holds every column this reads: a scan of its range, without visiting the wide table rows.
        return ReadRollupsAsync(
            "SELECT route, method, max(bucket_start) FROM request_rollups INDEXED BY ux_request_rollups", query, requests: true,
            static (reader, _) => new RouteBucket(reader.GetString(0), reader.GetString(1), FromUnixMicroseconds(reader.GetInt64(2))),
            cancellationToken, groupBy: "route, method", keys: RollupKeys.Release);
    }

    /// <summary>
    /// What a count per bucket reads: request_totals have every count a read filtered on no more than the kind and the
    /// release adds up, a few rows a bucket instead of one per route, method and code (the heatmap over 90 days: 2 160
    /// hours of about 58 rollup rows), and their counts index holds all it needs.
    /// </summary>
    internal static string CountsByBucketSelect(RollupQuery query) => IsTotalsFilter(query)
        ? "SELECT bucket_start, sum(count) FROM request_totals INDEXED BY ix_request_totals_counts"
        : $"SELECT bucket_start, sum(count) FROM request_rollups INDEXED BY {CountsIndex(query)}";

    /// <summary>
    /// The index a count read searches: the counts index holds everything it needs unless a route, method, environment,
    /// instance, kind or release is asked for, which only the unique index holds; the table rows it would otherwise visit
    /// are wide.
    /// </summary>
    internal static string CountsIndex(RollupQuery query) =>
        query.Route is null && query.Method is null && query.Environment is null && query.Instance is null && query.Kind is null
            && query.Release is null
            ? "ix_request_rollups_counts"
            : "ux_request_rollups";

    private async IAsyncEnumerable<T> ReadRollupsAsync<T>(
        string select,
        RollupQuery query,
        bool requests,
        Func<SqliteDataReader, Granularity, T> map,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        string? groupBy = null,
        RollupKeys keys = RollupKeys.None)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = CreateRollupCommand(connection, select, query, requests, groupBy, keys);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return map(reader, query.Granularity);
        }
    }

    /// <summary>
    /// Builds a rollup read: a range scan of the table's unique index, which leads with (granularity, bucket_start);
    /// grouped by bucket it aggregates in the index's order, without a temporary table. <paramref name="keys"/> says
    /// whether the table has a release and a consumer to filter on: error and event rollups have neither.
    /// </summary>
    internal static SqliteCommand CreateRollupCommand(
        SqliteConnection connection,
        string select,
        RollupQuery query,
        bool requests,
        string? groupBy = null,
        RollupKeys keys = RollupKeys.None)
    {
        var command = connection.CreateCommand();
        var sql = new StringBuilder(select).Append(" WHERE granularity = $granularity AND bucket_start >= $from AND bucket_start < $to");
        command.Parameters.AddWithValue("$granularity", (int)query.Granularity);
        command.Parameters.AddWithValue("$from", ToUnixMicroseconds(query.From));
        command.Parameters.AddWithValue("$to", ToUnixMicroseconds(query.To));
        AddFilters(
            command, sql, requests, query.Route, query.Method, query.MinStatusCode, query.MaxStatusCode, query.Kind,
            query.EventName, query.Environment, query.Instance);
        if (keys is not RollupKeys.None)
        {
            AddFilter(command, sql, "release", query.Release);
        }

        if (keys is RollupKeys.ReleaseAndConsumer)
        {
            AddFilter(command, sql, "consumer", query.Consumer);
        }

        if (groupBy is not null)
        {
            sql.Append(" GROUP BY ").Append(groupBy);
        }

        command.CommandText = sql.Append(';').ToString();
        return command;
    }

    /// <summary>Adds the exact filters raw pages and rollup reads share: route, method, status and kind for requests, name for events.</summary>
    private static void AddFilters(
        SqliteCommand command,
        StringBuilder sql,
        bool requests,
        string? route,
        string? method,
        int? minStatusCode,
        int? maxStatusCode,
        RequestKind? kind,
        string? eventName,
        string? environment,
        string? instance)
    {
        if (requests)
        {
            AddFilter(command, sql, "route", route);
            AddFilter(command, sql, "method", method);
            AddStatusFilter(command, sql, minStatusCode, maxStatusCode);
            if (kind is { } k)
            {
                sql.Append(" AND kind = $kind");
                command.Parameters.AddWithValue("$kind", (int)k);
            }
        }
        else
        {
            AddFilter(command, sql, "name", eventName);
        }

        AddFilter(command, sql, "environment", environment);
        AddFilter(command, sql, "instance", instance);
    }

    private static void AddFilter(SqliteCommand command, StringBuilder sql, string column, string? value)
    {
        if (value is not null)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND {column} = ${column}");
            command.Parameters.AddWithValue("$" + column, value);
        }
    }

    private static void AddStatusFilter(SqliteCommand command, StringBuilder sql, int? min, int? max)
    {
        if (min is { } low)
        {
            sql.Append(" AND status >= $min_status");
            command.Parameters.AddWithValue("$min_status", low);
        }

        if (max is { } high)
        {
            sql.Append(" AND status <= $max_status");
            command.Parameters.AddWithValue("$max_status", high);
        }
    }
}

/// <summary>The keys a rollup table has beyond those every request rollup has, to filter on.</summary>
internal enum RollupKeys
{
    /// <summary>Neither: error and event rollups.</summary>
    None,

    /// <summary>The release: request rollups.</summary>
    Release,

    /// <summary>The release and the consumer: per-consumer rollups.</summary>
    ReleaseAndConsumer,
}
