using Analytics.Storage;

namespace Analytics.Testing;

/// <summary><see cref="IHealthMetricsStore"/>: health rollups added up by key.</summary>
public partial class FakeStore
{
    Task IHealthMetricsStore.AddHealthRollupsAsync(
        IReadOnlyList<HealthRollup> rollups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        lock (_gate)
        {
            foreach (var row in rollups)
            {
                var key = new HealthKey(row.Granularity, row.BucketStart, row.Instance, row.Metric);
                _healthRollups[key] = _healthRollups.TryGetValue(key, out var stored)
                    ? stored with
                    {
                        Count = stored.Count + row.Count,
                        Sum = stored.Sum + row.Sum,
                        Min = Math.Min(stored.Min, row.Min),
                        Max = Math.Max(stored.Max, row.Max),
                    }
                    : row;
            }
        }

        return Task.CompletedTask;
    }

    Task<IReadOnlyList<HealthRollup>> IHealthMetricsStore.ReadHealthRollupsAsync(
        Granularity granularity,
        DateTimeOffset from,
        DateTimeOffset to,
        string? instance,
        CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<HealthRollup> rows = [.. _healthRollups.Values.Where(r =>
                r.Granularity == granularity && r.BucketStart >= from && r.BucketStart < to
                && (instance is null || r.Instance == instance))];
            return Task.FromResult(rows);
        }
    }
}
