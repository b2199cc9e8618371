using System.Globalization;
using System.Text;
using Analytics.Sql;
using Analytics.Storage;
using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite;

/// <summary>The read side's raw pages: requests and events newest first, with keyset paging.</summary>
internal sealed partial class SqliteAnalyticsStore
{
    /// <summary>Gets the reader of raw requests and its id caches, for tests.</summary>
    internal SqliteRequestReader RequestReader => _requestReader;

    public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) =>
        ReadPageAsync(SqliteRequestReader.Table, SqliteRequestReader.Columns, query, _requestReader.ReadRowsAsync, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken) =>
        ReadPageAsync("events", SqliteWriter.EventColumns, query, ReadEventRowsAsync, cancellationToken);

    /// <summary>
    /// Builds a raw page: newest first by (ts, id), which the ts index delivers in order (an index holds the rowid as its
    /// last column), so a page costs its own rows however large the range. A later page starts strictly below the
    /// (ts, id) of the previous page's last row, <paramref name="cursor"/>, which bounds the index seek from above.
    /// </summary>
    internal static SqliteCommand CreatePageCommand(
        SqliteConnection connection,
        string table,
        string columns,
        RawQuery query,
        (long Ts, long Id)? cursor)
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

        if (table == SqliteRequestReader.Table)
        {
            AddShapeFilters(command, sql, query);
        }
        else
        {
            AddFilters(
                command, sql, requests: false, query.Route, query.Method, query.MinStatusCode, query.MaxStatusCode,
                query.Kind, query.EventName, query.Environment, query.Instance);
            AddFilter(command, sql, "consumer", query.Consumer);
            AddFilter(command, sql, "release", query.Release);
        }

        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY ts DESC, id DESC LIMIT {query.Limit};");
        command.CommandText = sql.ToString();
        return command;
    }

    /// <summary>
    /// Adds a raw request page's filters: the status on the row, and everything its shape holds (route, method, kind,
    /// environment, instance, consumer, release) as one set of shape ids, which SQLite builds once per page and probes
    /// for each row as the page walks the time index (RawPagesSeekTheTimeIndexAndNeverSort).
    /// </summary>
    private static void AddShapeFilters(SqliteCommand command, StringBuilder sql, RawQuery query)
    {
        AddStatusFilter(command, sql, query.MinStatusCode, query.MaxStatusCode);
        var shape = new StringBuilder();
        AddFilters(
            command, shape, requests: true, query.Route, query.Method, minStatusCode: null, maxStatusCode: null, query.Kind,
            eventName: null, query.Environment, query.Instance);
        AddFilter(command, shape, "consumer", query.Consumer);
        AddFilter(command, shape, "release", query.Release);
        if (shape.Length > 0)
        {
            sql.Append(" AND shape IN (SELECT id FROM request_shapes WHERE 1 = 1").Append(shape).Append(')');
        }
    }

    private static async Task<IReadOnlyList<StoredEvent>> ReadEventRowsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<StoredEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(StoreRows.ReadEvent(reader));
        }

        return rows;
    }

    private async Task<IReadOnlyList<T>> ReadPageAsync<T>(
        string table,
        string columns,
        RawQuery query,
        Func<SqliteCommand, CancellationToken, Task<IReadOnlyList<T>>> readRows,
        CancellationToken cancellationToken)
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
        return await readRows(command, cancellationToken).ConfigureAwait(false);
    }
}
