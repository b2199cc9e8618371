using Analytics.Storage;

namespace Analytics.Testing;

/// <summary><see cref="IErrorStore"/>: error groups, updated by each written batch, and their occurrences.</summary>
public partial class FakeStore
{
    Task<IReadOnlyList<ErrorGroupState>> IErrorStore.ReadErrorGroupsAsync(
        IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        lock (_gate)
        {
            IReadOnlyList<ErrorGroupState> groups = [.. fingerprints
                .Distinct(StringComparer.Ordinal)
                .Select(f => _errorGroups.GetValueOrDefault(f))
                .OfType<ErrorGroupState>()];
            return Task.FromResult(groups);
        }
    }

    Task<bool> IErrorStore.ResolveErrorGroupAsync(
        string fingerprint, DateTimeOffset resolvedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        lock (_gate)
        {
            if (!_errorGroups.TryGetValue(fingerprint, out var group))
            {
                return Task.FromResult(false);
            }

            _errorGroups[fingerprint] = group with { ResolvedAt = resolvedAt, Regressed = false };
            return Task.FromResult(true);
        }
    }

    Task<IReadOnlyList<StoredRequest>> IErrorStore.ReadErrorOccurrencesAsync(
        string fingerprint, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        lock (_gate)
        {
            IReadOnlyList<StoredRequest> occurrences = [.. _requests
                .Where(r => r.Request.ErrorFingerprint == fingerprint)
                .OrderByDescending(r => r.Id)
                .Take(limit)];
            return Task.FromResult(occurrences);
        }
    }
}
