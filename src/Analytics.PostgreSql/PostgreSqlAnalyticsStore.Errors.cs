using Analytics.Sql;
using Analytics.Storage;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>Error groups (<see cref="IErrorStore"/>): upserted with each batch, read and resolved by the API.</summary>
internal sealed partial class PostgreSqlAnalyticsStore : IErrorStore
{
    public Task<IReadOnlyList<ErrorGroupState>> ReadErrorGroupsAsync(IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        return QueryAsync(
            $"SELECT {StoreRows.ErrorGroupColumns} FROM {S}.error_groups WHERE fingerprint = ANY($1);",
            [fingerprints.ToArray()],
            StoreRows.ReadErrorGroup,
            cancellationToken);
    }

    public Task<bool> ResolveErrorGroupAsync(string fingerprint, DateTimeOffset resolvedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        return ExecuteAsync(
            $"UPDATE {S}.error_groups SET resolved_at = $2, regressed = false WHERE fingerprint = $1;",
            [fingerprint, Micros(resolvedAt)],
            cancellationToken);
    }

    public Task<IReadOnlyList<StoredRequest>> ReadErrorOccurrencesAsync(string fingerprint, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return QueryAsync(
            $"SELECT {RequestColumns} FROM {S}.requests WHERE fingerprint = $1 ORDER BY id DESC LIMIT $2;",
            [fingerprint, limit],
            StoreRows.ReadRequest,
            cancellationToken);
    }

    /// <summary>
    /// Adds a batch's failures to their groups. A group resolved before an occurrence reopens as regressed; every SET
    /// expression reads the row as it was, and groups come sorted so two instances lock them in one order.
    /// </summary>
    private async Task UpsertErrorGroupsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        IReadOnlyList<ErrorGroupState> groups,
        CancellationToken cancellationToken)
    {
        if (groups.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            $"INSERT INTO {S}.error_groups AS t (fingerprint, route, method, status, exception_type, message, count, " +
            "first_seen, last_seen, severity, resolved_at, regressed)\n" +
            "SELECT f, r, m, s, e, msg, c, fs, ls, sev, NULL, false\n" +
            "FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::text[], $7::bigint[], " +
            "$8::bigint[], $9::bigint[], $10::smallint[])\n" +
            """
                AS i(f, r, m, s, e, msg, c, fs, ls, sev)
            ON CONFLICT (fingerprint) DO UPDATE SET
                count = t.count + excluded.count,
                first_seen = least(t.first_seen, excluded.first_seen),
                route = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.route ELSE t.route END,
                method = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.method ELSE t.method END,
                status = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.status ELSE t.status END,
                exception_type = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.exception_type ELSE t.exception_type END,
                message = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.message ELSE t.message END,
                severity = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.severity ELSE t.severity END,
                last_seen = greatest(t.last_seen, excluded.last_seen),
                regressed = CASE WHEN t.resolved_at IS NOT NULL AND excluded.last_seen > t.resolved_at THEN true ELSE t.regressed END,
                resolved_at = CASE WHEN t.resolved_at IS NOT NULL AND excluded.last_seen > t.resolved_at THEN NULL ELSE t.resolved_at END;
            """,
            connection,
            transaction);
        AddArray(command, groups, g => Text(g.Fingerprint)!);
        AddArray(command, groups, g => Text(g.Route)!);
        AddArray(command, groups, g => Text(g.Method)!);
        AddArray(command, groups, g => g.StatusCode);
        AddArray(command, groups, g => Text(g.ExceptionType));
        AddArray(command, groups, g => Text(g.Message));
        AddArray(command, groups, g => g.Count);
        AddArray(command, groups, g => Micros(g.FirstSeen));
        AddArray(command, groups, g => Micros(g.LastSeen));
        AddArray(command, groups, g => (short)g.Severity);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Error rollups merge entirely in SQL (counts add, first and last seen take the extremes), so one upsert adds them;
    /// keys are folded first because one statement may not touch a row twice.
    /// </summary>
    private async Task UpsertErrorRollupsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        IReadOnlyList<ErrorRollup> rollups,
        CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, (object[] Key, long Count, long First, long Last, string? Message)>(StringComparer.Ordinal);
        foreach (var r in rollups)
        {
            object[] key =
            [
                (short)r.Granularity, Micros(r.BucketStart), Text(r.Route)!, Text(r.Method)!, r.StatusCode,
                Text(r.ExceptionType) ?? "", Text(r.Environment) ?? "", Text(r.Instance) ?? "", r.Fingerprint,
                (short)r.Kind
            ];
            var row = (key, r.Count, Micros(r.FirstSeen), Micros(r.LastSeen), Text(r.LastMessage));
            var sortKey = SortKey(key);
            if (rows.TryGetValue(sortKey, out var e))
            {
                row = (
                    key,
                    e.Count + row.Count,
                    Math.Min(e.First, row.Item3),
                    Math.Max(e.Last, row.Item4),
                    row.Item4 >= e.Last ? row.Item5 : e.Message);
            }

            rows[sortKey] = row;
        }

        var sorted = rows.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList();
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {S}.error_rollups AS t (granularity, bucket_start, route, method, status, exception_type, " +
            "environment, instance, fingerprint, kind, count, first_seen, last_seen, last_message)\n" +
            "SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::text[], $4::text[], $5::integer[], $6::text[], " +
            "$7::text[], $8::text[], $9::text[], $10::smallint[],\n" +
            """
                $11::bigint[], $12::bigint[], $13::bigint[], $14::text[])
            ON CONFLICT (granularity, bucket_start, route, method, status, exception_type, fingerprint, environment, instance, kind) DO UPDATE SET
                count = t.count + excluded.count,
                first_seen = least(t.first_seen, excluded.first_seen),
                last_message = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.last_message ELSE t.last_message END,
                last_seen = greatest(t.last_seen, excluded.last_seen);
            """,
            connection,
            transaction);
        AddArray(command, sorted, r => (short)r.Key[0]);
        AddArray(command, sorted, r => (long)r.Key[1]);
        AddArray(command, sorted, r => (string)r.Key[2]);
        AddArray(command, sorted, r => (string)r.Key[3]);
        AddArray(command, sorted, r => (int)r.Key[4]);
        AddArray(command, sorted, r => (string)r.Key[5]);
        AddArray(command, sorted, r => (string)r.Key[6]);
        AddArray(command, sorted, r => (string)r.Key[7]);
        AddArray(command, sorted, r => (string)r.Key[8]);
        AddArray(command, sorted, r => (short)r.Key[9]);
        AddArray(command, sorted, r => r.Count);
        AddArray(command, sorted, r => r.First);
        AddArray(command, sorted, r => r.Last);
        AddArray(command, sorted, r => r.Message);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
