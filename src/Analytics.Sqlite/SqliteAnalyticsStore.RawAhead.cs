using Analytics.Storage;

namespace Analytics.Sqlite;

/// <summary>
/// Raw rows committed ahead of their rollups (<see cref="IRawAheadStore"/>): the writer's <c>raw_ahead</c> row names the
/// last request and event ids whose rollups were committed; the rows after them are read back when the writer starts.
/// </summary>
internal sealed partial class SqliteAnalyticsStore
{
    public async Task<RawAheadRows?> ReadRawAheadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        long requestsAfter, eventsAfter;
        await using (var mark = connection.CreateCommand())
        {
            mark.CommandText = "SELECT requests_after, events_after FROM raw_ahead WHERE id = 1;";
            await using var reader = await mark.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            (requestsAfter, eventsAfter) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        await using var requests = connection.CreateCommand();
        requests.CommandText =
            $"SELECT {SqliteRequestReader.Columns} FROM {SqliteRequestReader.Table} WHERE id > $after ORDER BY id;";
        requests.Parameters.AddWithValue("$after", requestsAfter);
        var requestRows = await _requestReader.ReadRowsAsync(requests, cancellationToken).ConfigureAwait(false);

        await using var events = connection.CreateCommand();
        events.CommandText = $"SELECT {SqliteWriter.EventColumns} FROM events WHERE id > $after ORDER BY id;";
        events.Parameters.AddWithValue("$after", eventsAfter);
        var eventRows = await ReadEventRowsAsync(events, cancellationToken).ConfigureAwait(false);

        return new RawAheadRows([.. requestRows.Select(r => r.Request)], [.. eventRows.Select(e => e.Event)]);
    }
}
