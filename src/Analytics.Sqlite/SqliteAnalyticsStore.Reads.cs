using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Analytics.Rollups;
using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite;

/// <summary>The read side: raw pages with keyset paging, and rollup rows filtered in SQL.</summary>
internal sealed partial class SqliteAnalyticsStore
{
    public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) =>
        ReadPageAsync("requests", SqliteWriter.RequestColumns, query, reader => new StoredRequest(reader.GetInt64(0), new RequestRecord
        {
            Timestamp = FromUnixMicroseconds(reader.GetInt64(1)),
            Method = reader.GetString(2),
            Route = reader.GetString(3),
            Path = reader.GetString(4),
            StatusCode = reader.GetInt32(5),
            Duration = TimeSpan.FromMicroseconds(reader.GetInt64(6)),
            RequestBytes = reader.GetInt64(7),
            ResponseBytes = reader.GetInt64(8),
            ClientIp = GetStringOrNull(reader, 9),
            UserAgent = GetStringOrNull(reader, 10),
            Protocol = GetStringOrNull(reader, 11),
            Kind = (RequestKind)reader.GetInt32(12),
            TraceId = GetStringOrNull(reader, 13),
            UserId = GetStringOrNull(reader, 14),
            Environment = GetStringOrNull(reader, 15),
            Instance = GetStringOrNull(reader, 16),
            ExceptionType = GetStringOrNull(reader, 17),
            ExceptionMessage = GetStringOrNull(reader, 18),
        }), cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken) =>
        ReadPageAsync("events", SqliteWriter.EventColumns, query, reader => new StoredEvent(reader.GetInt64(0), new EventRecord
        {
            Timestamp = FromUnixMicroseconds(reader.GetInt64(1)),
            Name = reader.GetString(2),
            UserId = GetStringOrNull(reader, 3),
            Duration = reader.IsDBNull(4) ? null : TimeSpan.FromMicroseconds(reader.GetInt64(4)),
            Success = reader.IsDBNull(5) ? null : reader.GetInt64(5) != 0,
            PropertiesJson = GetStringOrNull(reader, 6),
            Environment = GetStringOrNull(reader, 7),
            Instance = GetStringOrNull(reader, 8),
        }), cancellationToken);

    public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string latency = query.IncludeSketches ? "latency" : "NULL";
        return ReadRollupsAsync(
            $"SELECT bucket_start, route, method, status, environment, instance, count, errors, duration_sum_us, duration_min_us, duration_max_us, request_bytes, response_bytes, {latency} FROM request_rollups",
            query,
            requests: true,
            reader => new RequestRollup
            {
                Granularity = query.Granularity,
                BucketStart = FromUnixMicroseconds(reader.GetInt64(0)),
                Route = reader.GetString(1),
                Method = reader.GetString(2),
                StatusCode = reader.GetInt32(3),
                Environment = GetStringOrNullIfEmpty(reader, 4),
                Instance = GetStringOrNullIfEmpty(reader, 5),
                Count = reader.GetInt64(6),
                Errors = reader.GetInt64(7),
                DurationSumMicroseconds = reader.GetInt64(8),
                DurationMinMicroseconds = reader.GetInt64(9),
                DurationMaxMicroseconds = reader.GetInt64(10),
                RequestBytes = reader.GetInt64(11),
                ResponseBytes = reader.GetInt64(12),
                Latency = GetSketchOrNull(reader, 13),
            },
            cancellationToken);
    }

    public IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadRollupsAsync(
            "SELECT bucket_start, route, method, status, exception_type, environment, instance, count, first_seen, last_seen, last_message FROM error_rollups",
            query,
            requests: true,
            reader => new ErrorRollup
            {
                Granularity = query.Granularity,
                BucketStart = FromUnixMicroseconds(reader.GetInt64(0)),
                Route = reader.GetString(1),
                Method = reader.GetString(2),
                StatusCode = reader.GetInt32(3),
                ExceptionType = GetStringOrNullIfEmpty(reader, 4),
                Environment = GetStringOrNullIfEmpty(reader, 5),
                Instance = GetStringOrNullIfEmpty(reader, 6),
                Count = reader.GetInt64(7),
                FirstSeen = FromUnixMicroseconds(reader.GetInt64(8)),
                LastSeen = FromUnixMicroseconds(reader.GetInt64(9)),
                LastMessage = GetStringOrNull(reader, 10),
            },
            cancellationToken);
    }

    public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string duration = query.IncludeSketches ? "duration" : "NULL";
        return ReadRollupsAsync(
            $"SELECT bucket_start, name, environment, instance, count, successes, failures, {duration} FROM event_rollups",
            query,
            requests: false,
            reader => new EventRollup
            {
                Granularity = query.Granularity,
                BucketStart = FromUnixMicroseconds(reader.GetInt64(0)),
                Name = reader.GetString(1),
                Environment = GetStringOrNullIfEmpty(reader, 2),
                Instance = GetStringOrNullIfEmpty(reader, 3),
                Count = reader.GetInt64(4),
                Successes = reader.GetInt64(5),
                Failures = reader.GetInt64(6),
                Duration = GetSketchOrNull(reader, 7),
            },
            cancellationToken);
    }

    private static string? GetStringOrNull(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string? GetStringOrNullIfEmpty(SqliteDataReader reader, int ordinal) => GetStringOrNull(reader, ordinal) is { Length: > 0 } value ? value : null;

    /// <summary>
    /// Reads a sketch. A BLOB that does not decode (a damaged file) reads as no sketch: the row's counts and sums still
    /// answer, and one bad row cannot make every query over its range fail.
    /// </summary>
    private static LatencySketch? GetSketchOrNull(SqliteDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        try
        {
            return LatencySketch.FromBytes((byte[])reader.GetValue(ordinal));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private async IAsyncEnumerable<T> ReadRollupsAsync<T>(
        string select,
        RollupQuery query,
        bool requests,
        Func<SqliteDataReader, T> map,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = CreateRollupCommand(connection, select, query, requests);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return map(reader);
        }
    }

    /// <summary>Builds a rollup read: a range scan of the table's unique index, which leads with (granularity, bucket_start).</summary>
    internal static SqliteCommand CreateRollupCommand(SqliteConnection connection, string select, RollupQuery query, bool requests)
    {
        var command = connection.CreateCommand();
        var sql = new StringBuilder(select).Append(" WHERE granularity = $granularity AND bucket_start >= $from AND bucket_start < $to");
        command.Parameters.AddWithValue("$granularity", (int)query.Granularity);
        command.Parameters.AddWithValue("$from", ToUnixMicroseconds(query.From));
        command.Parameters.AddWithValue("$to", ToUnixMicroseconds(query.To));
        AddFilters(command, sql, requests, query.Route, query.Method, query.MinStatusCode, query.MaxStatusCode, query.EventName, query.Environment, query.Instance);
        command.CommandText = sql.Append(';').ToString();
        return command;
    }

    /// <summary>Adds the exact filters raw pages and rollup reads share: route, method and status for requests, name for events.</summary>
    private static void AddFilters(
        SqliteCommand command,
        StringBuilder sql,
        bool requests,
        string? route,
        string? method,
        int? minStatusCode,
        int? maxStatusCode,
        string? eventName,
        string? environment,
        string? instance)
    {
        if (requests)
        {
            AddFilter(command, sql, "route", route);
            AddFilter(command, sql, "method", method);
            AddStatusFilter(command, sql, minStatusCode, maxStatusCode);
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

    /// <summary>
    /// Builds a raw page: newest first by (ts, id), which the ts index delivers in order (an index holds the rowid as its
    /// last column), so a page costs its own rows however large the range. A later page starts strictly below the
    /// (ts, id) of the previous page's last row, <paramref name="cursor"/>, which bounds the index seek from above.
    /// </summary>
    internal static SqliteCommand CreatePageCommand(SqliteConnection connection, string table, string columns, RawQuery query, (long Ts, long Id)? cursor)
    {
        if (query.Limit is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "Limit must be between 1 and 10000.");
        }

        var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {columns} FROM {table} WHERE 1 = 1");
        if (query.From is { } from)
        {
            sql.Append(" AND ts >= $from");
            command.Parameters.AddWithValue("$from", ToUnixMicroseconds(from));
        }

        if (cursor is { } c)
        {
            sql.Append(" AND (ts, id) < ($cursor_ts, $cursor_id)");
            command.Parameters.AddWithValue("$cursor_ts", c.Ts);
            command.Parameters.AddWithValue("$cursor_id", c.Id);
        }

        // With a cursor, an upper bound on ts that the cursor already implies would only give SQLite a second, looser
        // bound to seek on; it is added only when it is tighter.
        if (query.To is { } to && (cursor is null || ToUnixMicroseconds(to) <= cursor.Value.Ts))
        {
            sql.Append(" AND ts < $to");
            command.Parameters.AddWithValue("$to", ToUnixMicroseconds(to));
        }

        AddFilters(command, sql, table == "requests", query.Route, query.Method, query.MinStatusCode, query.MaxStatusCode, query.EventName, query.Environment, query.Instance);
        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY ts DESC, id DESC LIMIT {query.Limit};");
        command.CommandText = sql.ToString();
        return command;
    }

    private async Task<IReadOnlyList<T>> ReadPageAsync<T>(string table, string columns, RawQuery query, Func<SqliteDataReader, T> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        (long, long)? cursor = null;
        if (query.Before is { } before)
        {
            await using var lookup = connection.CreateCommand();
            lookup.CommandText = $"SELECT ts FROM {table} WHERE id = $id;";
            lookup.Parameters.AddWithValue("$id", before);
            if (await lookup.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long ts)
            {
                // The previous page's last row is gone: retention deleted it, and everything older with it.
                return [];
            }

            cursor = (ts, before);
        }

        await using var command = CreatePageCommand(connection, table, columns, query, cursor);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
