using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Analytics.Sql;
using Analytics.Storage;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>The read side: raw pages with keyset paging, and rollup rows filtered in SQL; the same questions the SQLite store answers.</summary>
internal sealed partial class PostgreSqlAnalyticsStore
{
    public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) =>
        ReadPageAsync("requests", RequestColumns, query, StoreRows.ReadRequest, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken) =>
        ReadPageAsync("events", EventColumns, query, StoreRows.ReadEvent, cancellationToken);

    public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string latency = query.IncludeSketches ? "latency" : "NULL::bytea";
        string cardinality = query.IncludeCardinality ? "users, clients" : "NULL::bytea, NULL::bytea";
        string consumers = query.IncludeCardinality ? "consumers" : "NULL::bytea";
        return ReadRollupsAsync(
            $"SELECT {StoreRows.RequestRollupColumns}, {latency}, {cardinality}, {consumers}, release, '' FROM {S}.request_rollups",
            query, RollupFilters.Requests, StoreRows.ReadRequestRollup, cancellationToken);
    }

    public IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRollupsAsync(
            $"SELECT {StoreRows.ErrorRollupColumns} FROM {S}.error_rollups", query, RollupFilters.Errors,
            StoreRows.ReadErrorRollup, cancellationToken);
    }

    public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string duration = query.IncludeSketches ? "duration" : "NULL::bytea";
        return ReadRollupsAsync(
            $"SELECT {StoreRows.EventRollupColumns}, {duration} FROM {S}.event_rollups", query, RollupFilters.Events,
            StoreRows.ReadEventRollup, cancellationToken);
    }

    public IAsyncEnumerable<BucketCount> ReadRequestCountsByBucketAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRollupsAsync(
            $"SELECT bucket_start, sum(count)::bigint FROM {S}.request_rollups", query, RollupFilters.Requests,
            static (reader, _) => new BucketCount(StoreRows.FromUnixMicroseconds(reader.GetInt64(0)), reader.GetInt64(1)),
            cancellationToken, groupBy: "bucket_start");
    }

    public IAsyncEnumerable<StatusCodeCount> ReadRequestCountsByStatusAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRollupsAsync(
            $"SELECT status, sum(count)::bigint FROM {S}.request_rollups", query, RollupFilters.Requests,
            static (reader, _) => new StatusCodeCount { StatusCode = reader.GetInt32(0), Count = reader.GetInt64(1) },
            cancellationToken, groupBy: "status");
    }

    public IAsyncEnumerable<RouteBucket> ReadLatestBucketsByRouteAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRollupsAsync(
            $"SELECT route, method, max(bucket_start) FROM {S}.request_rollups", query, RollupFilters.Requests,
            static (reader, _) => new RouteBucket(reader.GetString(0), reader.GetString(1), StoreRows.FromUnixMicroseconds(reader.GetInt64(2))),
            cancellationToken, groupBy: "route, method");
    }

    private async IAsyncEnumerable<T> ReadRollupsAsync<T>(
        string select,
        RollupQuery query,
        RollupFilters filters,
        Func<NpgsqlDataReader, Granularity, T> map,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        string? groupBy = null)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder(select).Append(" WHERE granularity = @granularity AND bucket_start >= @from AND bucket_start < @to");
        command.Parameters.AddWithValue("granularity", (short)query.Granularity);
        command.Parameters.AddWithValue("from", Micros(query.From));
        command.Parameters.AddWithValue("to", Micros(query.To));
        AddFilters(
            command, sql, filters, query.Route, query.Method, query.MinStatusCode, query.MaxStatusCode, query.Kind,
            query.EventName, query.Environment, query.Instance, query.Release, query.Consumer);
        if (groupBy is not null)
        {
            sql.Append(" GROUP BY ").Append(groupBy);
        }

        command.CommandText = sql.ToString();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return map(reader, query.Granularity);
        }
    }

    /// <summary>Which of a query's filters a table has columns for.</summary>
    private enum RollupFilters
    {
        /// <summary>request_rollups: the request filters and release; a consumer is ignored (the rows count everyone).</summary>
        Requests,

        /// <summary>error_rollups: the request filters but release, which error rows do not record.</summary>
        Errors,

        /// <summary>event_rollups: the event name.</summary>
        Events,

        /// <summary>consumer_rollups, and the raw requests: the request filters, release and consumer.</summary>
        Consumers,

        /// <summary>The raw events: the event name, release and consumer.</summary>
        RawEvents,
    }

    /// <summary>
    /// Adds the exact filters raw pages and rollup reads share: route, method, status and kind for requests, name for
    /// events, then environment and instance, and release and consumer where <paramref name="filters"/> has them.
    /// </summary>
    private static void AddFilters(
        NpgsqlCommand command,
        StringBuilder sql,
        RollupFilters filters,
        string? route,
        string? method,
        int? minStatusCode,
        int? maxStatusCode,
        RequestKind? kind,
        string? eventName,
        string? environment,
        string? instance,
        string? release,
        string? consumer)
    {
        if (filters is not (RollupFilters.Events or RollupFilters.RawEvents))
        {
            AddFilter(command, sql, "route", route);
            AddFilter(command, sql, "method", method);
            if (minStatusCode is { } low)
            {
                sql.Append(" AND status >= @min_status");
                command.Parameters.AddWithValue("min_status", low);
            }

            if (maxStatusCode is { } high)
            {
                sql.Append(" AND status <= @max_status");
                command.Parameters.AddWithValue("max_status", high);
            }

            if (kind is { } k)
            {
                // The raw table's kind is an integer, the rollups' a smallint: an integer parameter compares with both.
                sql.Append(" AND kind = @kind");
                command.Parameters.AddWithValue("kind", (int)k);
            }
        }
        else
        {
            AddFilter(command, sql, "name", eventName);
        }

        AddFilter(command, sql, "environment", environment);
        AddFilter(command, sql, "instance", instance);
        if (filters != RollupFilters.Errors)
        {
            AddFilter(command, sql, "release", release);
        }

        if (filters is RollupFilters.Consumers or RollupFilters.RawEvents)
        {
            AddFilter(command, sql, "consumer", consumer);
        }
    }

    private static void AddFilter(NpgsqlCommand command, StringBuilder sql, string column, string? value)
    {
        if (value is not null)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND {column} = @{column}");
            command.Parameters.AddWithValue(column, Text(value)!);
        }
    }

    /// <summary>
    /// Reads a raw page: newest first by (ts, id), which the (ts, id) index delivers in order, so a page costs its own
    /// rows however large the range. A later page starts strictly below the (ts, id) of the previous page's last row.
    /// </summary>
    private async Task<IReadOnlyList<T>> ReadPageAsync<T>(
        string table,
        string columns,
        RawQuery query,
        Func<NpgsqlDataReader, T> map,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "Limit must be between 1 and 10000.");
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder($"SELECT {columns} FROM {S}.{table} WHERE true");
        if (query.Before is { } before)
        {
            // The previous page's last row; when retention has deleted it, everything older went with it and the page is empty.
            sql.Append(CultureInfo.InvariantCulture, $" AND (ts, id) < (SELECT ts, id FROM {S}.{table} WHERE id = @before)");
            command.Parameters.AddWithValue("before", before);
        }

        if (query.From is { } from)
        {
            sql.Append(" AND ts >= @from");
            command.Parameters.AddWithValue("from", Micros(from));
        }

        if (query.To is { } to)
        {
            sql.Append(" AND ts < @to");
            command.Parameters.AddWithValue("to", Micros(to));
        }

        AddFilters(
            command, sql, table == "requests" ? RollupFilters.Consumers : RollupFilters.RawEvents, query.Route, query.Method,
            query.MinStatusCode, query.MaxStatusCode, query.Kind, query.EventName, query.Environment, query.Instance,
            query.Release, query.Consumer);
        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY ts DESC, id DESC LIMIT {query.Limit}");
        command.CommandText = sql.ToString();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
