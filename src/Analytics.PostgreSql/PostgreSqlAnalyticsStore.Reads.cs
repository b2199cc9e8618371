using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Analytics.Rollups;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>The read side: raw pages with keyset paging, and rollup rows filtered in SQL; the same questions the SQLite store answers.</summary>
internal sealed partial class PostgreSqlAnalyticsStore
{
    public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) =>
        ReadPageAsync("requests", RequestColumns, query, reader => new StoredRequest(reader.GetInt64(0), new RequestRecord
        {
            Timestamp = FromMicros(reader.GetInt64(1)),
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
        ReadPageAsync("events", EventColumns, query, reader => new StoredEvent(reader.GetInt64(0), new EventRecord
        {
            Timestamp = FromMicros(reader.GetInt64(1)),
            Name = reader.GetString(2),
            UserId = GetStringOrNull(reader, 3),
            Duration = reader.IsDBNull(4) ? null : TimeSpan.FromMicroseconds(reader.GetInt64(4)),
            Success = reader.IsDBNull(5) ? null : reader.GetBoolean(5),
            PropertiesJson = GetStringOrNull(reader, 6),
            Environment = GetStringOrNull(reader, 7),
            Instance = GetStringOrNull(reader, 8),
        }), cancellationToken);

    public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string latency = query.IncludeSketches ? "latency" : "NULL::bytea";
        return ReadRollupsAsync(
            $"SELECT bucket_start, route, method, status, environment, instance, count, errors, duration_sum_us, duration_min_us, duration_max_us, request_bytes, response_bytes, {latency} FROM {S}.request_rollups",
            query,
            requests: true,
            reader => new RequestRollup
            {
                Granularity = query.Granularity,
                BucketStart = FromMicros(reader.GetInt64(0)),
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
            $"SELECT bucket_start, route, method, status, exception_type, environment, instance, count, first_seen, last_seen, last_message FROM {S}.error_rollups",
            query,
            requests: true,
            reader => new ErrorRollup
            {
                Granularity = query.Granularity,
                BucketStart = FromMicros(reader.GetInt64(0)),
                Route = reader.GetString(1),
                Method = reader.GetString(2),
                StatusCode = reader.GetInt32(3),
                ExceptionType = GetStringOrNullIfEmpty(reader, 4),
                Environment = GetStringOrNullIfEmpty(reader, 5),
                Instance = GetStringOrNullIfEmpty(reader, 6),
                Count = reader.GetInt64(7),
                FirstSeen = FromMicros(reader.GetInt64(8)),
                LastSeen = FromMicros(reader.GetInt64(9)),
                LastMessage = GetStringOrNull(reader, 10),
            },
            cancellationToken);
    }

    public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string duration = query.IncludeSketches ? "duration" : "NULL::bytea";
        return ReadRollupsAsync(
            $"SELECT bucket_start, name, environment, instance, count, successes, failures, {duration} FROM {S}.event_rollups",
            query,
            requests: false,
            reader => new EventRollup
            {
                Granularity = query.Granularity,
                BucketStart = FromMicros(reader.GetInt64(0)),
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

    internal static string? GetStringOrNull(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string? GetStringOrNullIfEmpty(NpgsqlDataReader reader, int ordinal) => GetStringOrNull(reader, ordinal) is { Length: > 0 } value ? value : null;

    /// <summary>Reads a sketch; one that does not decode (a damaged row) reads as none, so one bad row cannot fail every query over its range.</summary>
    private static LatencySketch? GetSketchOrNull(NpgsqlDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        try
        {
            return LatencySketch.FromBytes(reader.GetFieldValue<byte[]>(ordinal));
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
        Func<NpgsqlDataReader, T> map,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder(select).Append(" WHERE granularity = @granularity AND bucket_start >= @from AND bucket_start < @to");
        command.Parameters.AddWithValue("granularity", (short)query.Granularity);
        command.Parameters.AddWithValue("from", Micros(query.From));
        command.Parameters.AddWithValue("to", Micros(query.To));
        AddFilters(command, sql, requests, query.Route, query.Method, query.MinStatusCode, query.MaxStatusCode, query.EventName, query.Environment, query.Instance);
        command.CommandText = sql.ToString();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return map(reader);
        }
    }

    /// <summary>Adds the exact filters raw pages and rollup reads share: route, method and status for requests, name for events.</summary>
    private static void AddFilters(
        NpgsqlCommand command,
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
        }
        else
        {
            AddFilter(command, sql, "name", eventName);
        }

        AddFilter(command, sql, "environment", environment);
        AddFilter(command, sql, "instance", instance);
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
    private async Task<IReadOnlyList<T>> ReadPageAsync<T>(string table, string columns, RawQuery query, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
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

        AddFilters(command, sql, table == "requests", query.Route, query.Method, query.MinStatusCode, query.MaxStatusCode, query.EventName, query.Environment, query.Instance);
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
