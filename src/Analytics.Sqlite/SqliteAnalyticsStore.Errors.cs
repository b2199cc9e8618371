using Analytics.Sql;
using Analytics.Storage;

namespace Analytics.Sqlite;

/// <summary>Error groups (<see cref="IErrorStore"/>): upserted by the writer with each batch, read and resolved here.</summary>
internal sealed partial class SqliteAnalyticsStore : IErrorStore
{
    public Task<IReadOnlyList<ErrorGroupState>> ReadErrorGroupsAsync(IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        if (fingerprints.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<ErrorGroupState>>([]);
        }

        var parameters = fingerprints.Select((f, i) => ($"$f{i}", (object?)f)).ToArray();
        return QueryAsync(
            $"SELECT {StoreRows.ErrorGroupColumns} FROM error_groups WHERE fingerprint IN ({string.Join(", ", parameters.Select(p => p.Item1))});",
            parameters,
            StoreRows.ReadErrorGroup,
            cancellationToken);
    }

    public Task<bool> ResolveErrorGroupAsync(string fingerprint, DateTimeOffset resolvedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        return ExecuteAsync(
            "UPDATE error_groups SET resolved_at = $resolved_at, regressed = 0 WHERE fingerprint = $fingerprint;",
            [("$fingerprint", fingerprint), ("$resolved_at", ToUnixMicroseconds(resolvedAt))],
            cancellationToken);
    }

    public async Task<IReadOnlyList<StoredRequest>> ReadErrorOccurrencesAsync(
        string fingerprint,
        int limit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {SqliteRequestReader.Columns} FROM {SqliteRequestReader.Table} WHERE fingerprint = $fingerprint " +
            "ORDER BY id DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$fingerprint", fingerprint);
        command.Parameters.AddWithValue("$limit", limit);
        return await _requestReader.ReadRowsAsync(command, cancellationToken).ConfigureAwait(false);
    }
}
