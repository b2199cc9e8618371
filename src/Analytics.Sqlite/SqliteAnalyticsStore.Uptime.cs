using Analytics.Storage;

namespace Analytics.Sqlite;

/// <summary>
/// Health-check samples (<see cref="IUptimeStore"/>): a few rows per report, every 30 s by default, through the one
/// writer; purged with the hour rollups.
/// </summary>
internal sealed partial class SqliteAnalyticsStore : IUptimeStore
{
    private const string SampleColumns = "ts, instance, check_name, status, duration_us, description";

    public Task AddHealthCheckSamplesAsync(IReadOnlyList<HealthCheckSample> samples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WithWriterAsync(writer =>
        {
            using var transaction = writer.Connection.BeginTransaction();
            using var command = writer.Connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText =
                $"INSERT INTO health_check_samples ({SampleColumns}) VALUES ($ts, $instance, $check, $status, $duration, $description);";
            var ts = command.Parameters.Add("$ts", Microsoft.Data.Sqlite.SqliteType.Integer);
            var instance = command.Parameters.Add("$instance", Microsoft.Data.Sqlite.SqliteType.Text);
            var check = command.Parameters.Add("$check", Microsoft.Data.Sqlite.SqliteType.Text);
            var status = command.Parameters.Add("$status", Microsoft.Data.Sqlite.SqliteType.Integer);
            var duration = command.Parameters.Add("$duration", Microsoft.Data.Sqlite.SqliteType.Integer);
            var description = command.Parameters.Add("$description", Microsoft.Data.Sqlite.SqliteType.Text);
            foreach (var sample in samples)
            {
                ts.Value = ToUnixMicroseconds(sample.Time);
                instance.Value = sample.Instance;
                check.Value = sample.Check;
                status.Value = (int)sample.Status;
                duration.Value = sample.Duration.Ticks / TimeSpan.TicksPerMicrosecond;
                description.Value = (object?)sample.Description ?? DBNull.Value;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
            return 0;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<HealthCheckSample>> ReadHealthCheckSamplesAsync(
        DateTimeOffset from,
        DateTimeOffset to,
        string? instance,
        CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {SampleColumns} FROM health_check_samples " +
            "WHERE ts >= $from AND ts < $to AND ($instance IS NULL OR instance = $instance) ORDER BY ts, rowid;",
            [("$from", ToUnixMicroseconds(from)), ("$to", ToUnixMicroseconds(to)), ("$instance", instance)],
            static reader => new HealthCheckSample
            {
                Time = FromUnixMicroseconds(reader.GetInt64(0)), Instance = reader.GetString(1), Check = reader.GetString(2),
                Status = (UptimeStatus)reader.GetInt32(3), Duration = TimeSpan.FromMicroseconds(reader.GetInt64(4)),
                Description = reader.IsDBNull(5) ? null : reader.GetString(5),
            },
            cancellationToken);
}
