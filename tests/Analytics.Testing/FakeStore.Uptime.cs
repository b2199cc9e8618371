using Analytics.Storage;

namespace Analytics.Testing;

/// <summary><see cref="IUptimeStore"/>: health-check samples in the order added, purged with the hour rollups.</summary>
public partial class FakeStore
{
    private readonly List<HealthCheckSample> _healthCheckSamples = [];

    /// <summary>Gets the health-check samples kept, in the order added.</summary>
    public IReadOnlyList<HealthCheckSample> HealthCheckSamples
    {
        get
        {
            lock (_gate)
            {
                return [.. _healthCheckSamples];
            }
        }
    }

    Task IUptimeStore.AddHealthCheckSamplesAsync(IReadOnlyList<HealthCheckSample> samples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (Fail)
        {
            return Task.FromException(new IOException("The fake store is failing."));
        }

        lock (_gate)
        {
            _healthCheckSamples.AddRange(samples);
        }

        return Task.CompletedTask;
    }

    Task<IReadOnlyList<HealthCheckSample>> IUptimeStore.ReadHealthCheckSamplesAsync(
        DateTimeOffset from,
        DateTimeOffset to,
        string? instance,
        CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<HealthCheckSample> rows = [.. _healthCheckSamples
                .Where(s => s.Time >= from && s.Time < to && (instance is null || s.Instance == instance))
                .OrderBy(s => s.Time)];
            return Task.FromResult(rows);
        }
    }

    /// <summary>Removes up to <paramref name="maxRows"/> samples older than <paramref name="cutoff"/>, oldest first; under the gate.</summary>
    private int PurgeHealthCheckSamples(DateTimeOffset cutoff, int maxRows) =>
        maxRows <= 0 ? 0 : RemoveOldest(_healthCheckSamples, s => s.Time, cutoff, maxRows);
}
