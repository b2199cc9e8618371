using Analytics.Storage;

namespace Analytics.Sqlite;

/// <summary>Process-health rollups (<see cref="IHealthMetricsStore"/>): a few rows every few seconds, through the one writer.</summary>
internal sealed partial class SqliteAnalyticsStore : IHealthMetricsStore
{
    private const string HealthColumns = "granularity, bucket_start, instance, metric, count, sum, min, max";

    public Task AddHealthRollupsAsync(IReadOnlyList<HealthRollup> rollups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        return WithWriterAsync(writer =>
        {
            writer.AddHealthRollups(rollups);
            return 0;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<HealthRollup>> ReadHealthRollupsAsync(
        Granularity granularity,
        DateTimeOffset from,
        DateTimeOffset to,
        string? instance,
        CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {HealthColumns} FROM health_rollups " +
            "WHERE granularity = $g AND bucket_start >= $from AND bucket_start < $to " +
            "AND ($instance IS NULL OR instance = $instance);",
            [("$g", (int)granularity), ("$from", ToUnixMicroseconds(from)), ("$to", ToUnixMicroseconds(to)), ("$instance", instance)],
            static reader => new HealthRollup
            {
                Granularity = (Granularity)reader.GetInt32(0), BucketStart = FromUnixMicroseconds(reader.GetInt64(1)),
                Instance = reader.GetString(2), Metric = reader.GetString(3), Count = reader.GetInt64(4),
                Sum = reader.GetDouble(5), Min = reader.GetDouble(6), Max = reader.GetDouble(7),
            },
            cancellationToken);
}
