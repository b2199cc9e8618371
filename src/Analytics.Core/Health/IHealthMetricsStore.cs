namespace Analytics.Storage;

/// <summary>
/// Where process-health rollups are kept, by a store that implements this beside <see cref="IAnalyticsStore"/>.
/// <see cref="IAnalyticsStore.PurgeRollupsAsync"/> purges them with the other rollups.
/// </summary>
public interface IHealthMetricsStore
{
    /// <summary>Adds samples to the stored rollups with the same keys, in one transaction.</summary>
    /// <param name="rollups">The rows to add; one key appears at most once.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task AddHealthRollupsAsync(IReadOnlyList<HealthRollup> rollups, CancellationToken cancellationToken);

    /// <summary>Reads the rollups of one granularity whose bucket starts in [from, to), optionally of one instance.</summary>
    /// <param name="granularity">The granularity.</param>
    /// <param name="from">The inclusive lower bound of the bucket starts.</param>
    /// <param name="to">The exclusive upper bound of the bucket starts.</param>
    /// <param name="instance">The instance to read, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<HealthRollup>> ReadHealthRollupsAsync(
        Granularity granularity,
        DateTimeOffset from,
        DateTimeOffset to,
        string? instance,
        CancellationToken cancellationToken);
}
