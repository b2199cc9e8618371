namespace Analytics;

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

/// <summary>The stored state of one error group.</summary>
public sealed record ErrorGroupState
{
    /// <summary>Gets the fingerprint that identifies the group.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Gets the route template of the latest occurrence.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the HTTP method of the latest occurrence.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the status code of the latest occurrence.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the exception type, or <see langword="null"/> for failures without an exception.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Gets the (sanitized) exception message of the latest occurrence, or <see langword="null"/>.</summary>
    public string? Message { get; init; }

    /// <summary>Gets how many occurrences there were, ever.</summary>
    public required long Count { get; init; }

    /// <summary>Gets when the first occurrence happened.</summary>
    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>Gets when the latest occurrence happened.</summary>
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>Gets the severity of the latest occurrence.</summary>
    public required ErrorSeverity Severity { get; init; }

    /// <summary>Gets when the group was marked resolved, or <see langword="null"/> while it is open.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Gets whether the group occurred again after it had been resolved (cleared by resolving it again).</summary>
    public bool Regressed { get; init; }
}
