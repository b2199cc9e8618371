using Analytics.Sql;
using Analytics.Storage;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>Process-health rollups (<see cref="IHealthMetricsStore"/>): each instance adds its own rows.</summary>
internal sealed partial class PostgreSqlAnalyticsStore : IHealthMetricsStore
{
    private const string HealthColumns = "granularity, bucket_start, instance, metric, count, sum, min, max";

    public async Task AddHealthRollupsAsync(IReadOnlyList<HealthRollup> rollups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        var rows = rollups
            .OrderBy(r => (int)r.Granularity)
            .ThenBy(r => r.BucketStart)
            .ThenBy(r => r.Instance, StringComparer.Ordinal)
            .ThenBy(r => r.Metric, StringComparer.Ordinal)
            .ToList();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {S}.health_rollups AS t ({HealthColumns})\n" +
            "SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], " +
            "$6::double precision[], $7::double precision[], $8::double precision[])\n" +
            """
            ON CONFLICT (granularity, bucket_start, instance, metric) DO UPDATE SET
                count = t.count + excluded.count, sum = t.sum + excluded.sum, min = least(t.min, excluded.min), max = greatest(t.max, excluded.max);
            """,
            connection);
        AddArray(command, rows, r => (short)r.Granularity);
        AddArray(command, rows, r => Micros(r.BucketStart));
        AddArray(command, rows, r => Text(r.Instance)!);
        AddArray(command, rows, r => Text(r.Metric)!);
        AddArray(command, rows, r => r.Count);
        AddArray(command, rows, r => r.Sum);
        AddArray(command, rows, r => r.Min);
        AddArray(command, rows, r => r.Max);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<HealthRollup>> ReadHealthRollupsAsync(
        Granularity granularity,
        DateTimeOffset from,
        DateTimeOffset to,
        string? instance,
        CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {HealthColumns} FROM {S}.health_rollups " +
            "WHERE granularity = $1 AND bucket_start >= $2 AND bucket_start < $3 " +
            "AND ($4::text IS NULL OR instance = $4::text);",
            [(short)granularity, Micros(from), Micros(to), Text(instance)],
            static reader => new HealthRollup
            {
                Granularity = (Granularity)reader.GetInt16(0),
                BucketStart = StoreRows.FromUnixMicroseconds(reader.GetInt64(1)), Instance = reader.GetString(2),
                Metric = reader.GetString(3), Count = reader.GetInt64(4),
                Sum = reader.GetDouble(5), Min = reader.GetDouble(6), Max = reader.GetDouble(7),
            },
            cancellationToken);
}
