namespace Analytics.Storage;

/// <summary>
/// Error groups: the state of each fingerprint (first and last seen, count, severity, resolved or regressed), kept by a
/// store that implements this beside <see cref="IAnalyticsStore"/>. The store updates groups in
/// <see cref="IAnalyticsStore.WriteBatchAsync"/> from the batch's minute <see cref="AnalyticsBatch.ErrorRollups"/>: a
/// new occurrence after a group was resolved reopens it with <see cref="ErrorGroupState.Regressed"/> set.
/// </summary>
public interface IErrorStore
{
    /// <summary>Reads the groups with the given fingerprints; unknown ones are left out.</summary>
    /// <param name="fingerprints">The fingerprints.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<ErrorGroupState>> ReadErrorGroupsAsync(IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken);

    /// <summary>Marks a group resolved (and no longer regressed) as of <paramref name="resolvedAt"/>.</summary>
    /// <param name="fingerprint">The group.</param>
    /// <param name="resolvedAt">When; occurrences after this reopen the group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when there is no such group.</returns>
    Task<bool> ResolveErrorGroupAsync(string fingerprint, DateTimeOffset resolvedAt, CancellationToken cancellationToken);

    /// <summary>Reads the most recent raw requests of a group, newest first.</summary>
    /// <param name="fingerprint">The group.</param>
    /// <param name="limit">The most to read; positive.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<StoredRequest>> ReadErrorOccurrencesAsync(string fingerprint, int limit, CancellationToken cancellationToken);
}
