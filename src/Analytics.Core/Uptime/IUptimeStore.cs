namespace Analytics.Storage;

/// <summary>
/// Where health-check samples are kept, by a store that declares it through <see cref="StoreCapabilities.Uptime"/>.
/// <see cref="IAnalyticsStore.PurgeRollupsAsync"/> purges them with the <see cref="Granularity.Hour"/> rollups.
/// </summary>
public interface IUptimeStore
{
    /// <summary>Adds the samples of one report, in one transaction.</summary>
    /// <param name="samples">The samples; every field is kept as given.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task AddHealthCheckSamplesAsync(IReadOnlyList<HealthCheckSample> samples, CancellationToken cancellationToken);

    /// <summary>Reads the samples whose time is in [from, to), oldest first, optionally of one instance.</summary>
    /// <param name="from">The inclusive lower bound.</param>
    /// <param name="to">The exclusive upper bound.</param>
    /// <param name="instance">The instance to read, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<HealthCheckSample>> ReadHealthCheckSamplesAsync(
        DateTimeOffset from,
        DateTimeOffset to,
        string? instance,
        CancellationToken cancellationToken);
}
