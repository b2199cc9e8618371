using Analytics.Sql;
using Analytics.Storage;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>
/// Health-check samples (<see cref="IUptimeStore"/>): each instance adds the rows of its own reports; purged with the
/// hour rollups.
/// </summary>
internal sealed partial class PostgreSqlAnalyticsStore : IUptimeStore
{
    private const string SampleColumns = "ts, instance, check_name, status, duration_us, description";

    public async Task AddHealthCheckSamplesAsync(IReadOnlyList<HealthCheckSample> samples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {S}.health_check_samples ({SampleColumns})\n" +
            "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::smallint[], $5::bigint[], $6::text[]);",
            connection);
        AddArray(command, samples, s => Micros(s.Time));
        AddArray(command, samples, s => Text(s.Instance)!);
        AddArray(command, samples, s => Text(s.Check)!);
        AddArray(command, samples, s => (short)s.Status);
        AddArray(command, samples, s => Micros(s.Duration));
        AddArray(command, samples, s => Text(s.Description));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<HealthCheckSample>> ReadHealthCheckSamplesAsync(
        DateTimeOffset from,
        DateTimeOffset to,
        string? instance,
        CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {SampleColumns} FROM {S}.health_check_samples " +
            "WHERE ts >= $1 AND ts < $2 AND ($3::text IS NULL OR instance = $3::text) ORDER BY ts, ctid;",
            [Micros(from), Micros(to), Text(instance)],
            static reader => new HealthCheckSample
            {
                Time = StoreRows.FromUnixMicroseconds(reader.GetInt64(0)), Instance = reader.GetString(1), Check = reader.GetString(2),
                Status = (UptimeStatus)reader.GetInt16(3), Duration = TimeSpan.FromMicroseconds(reader.GetInt64(4)),
                Description = reader.IsDBNull(5) ? null : reader.GetString(5),
            },
            cancellationToken);
}
