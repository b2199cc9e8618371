using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>
/// Error groups: the counts from the error rollups, their state from the store's <see cref="StoreCapabilities.Errors"/>
/// when it has it.
/// </summary>
internal sealed partial class AnalyticsQueries
{
    public async Task<IReadOnlyList<ErrorGroup>> GetErrorsAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var plan = Plan(query, requests: false);
        int limit = ValidateLimit(query, 50);
        // Grouped by fingerprint; rows written before fingerprints existed (empty) by what grouped them then.
        var groups = new Dictionary<(string Fingerprint, string Route, string Method, int StatusCode, string? ExceptionType), ErrorRollup>();
        // First and last seen are the occurrences' own times, whatever the granularity: coarser rows answer as well.
        foreach (var part in TotalReads(query, plan, plan.Rollups(includeSketches: false)))
        {
            await foreach (var row in _store.ReadErrorRollupsAsync(part, cancellationToken).ConfigureAwait(false))
            {
                var key = row.Fingerprint.Length > 0
                    ? (row.Fingerprint, "", "", 0, null)
                    : (row.Fingerprint, row.Route, row.Method, row.StatusCode, row.ExceptionType);
                if (!groups.TryGetValue(key, out var group))
                {
                    groups.Add(key, group = new ErrorRollup
                    {
                        Granularity = row.Granularity, BucketStart = row.BucketStart, Route = row.Route, Method = row.Method,
                        StatusCode = row.StatusCode, ExceptionType = row.ExceptionType, Fingerprint = row.Fingerprint,
                    });
                }

                RollupAccumulator.MergeInto(group, row);
            }
        }

        var top = groups.Values.OrderByDescending(g => g.Count).ThenByDescending(g => g.LastSeen).Take(limit).ToList();
        var states = _errors is { } errorStore && top.Any(g => g.Fingerprint.Length > 0)
            ? (await errorStore.ReadErrorGroupsAsync(
                [.. top.Select(g => g.Fingerprint).Where(f => f.Length > 0)], cancellationToken).ConfigureAwait(false))
                .ToDictionary(s => s.Fingerprint, StringComparer.Ordinal)
            : [];
        return top
            .Select(g =>
            {
                var state = states.GetValueOrDefault(g.Fingerprint);
                return new ErrorGroup
                {
                    Fingerprint = g.Fingerprint, Route = g.Route, Method = g.Method, StatusCode = g.StatusCode, ExceptionType = g.ExceptionType,
                    Message = g.LastMessage, Count = g.Count, FirstSeen = g.FirstSeen, LastSeen = g.LastSeen,
                    Severity = state?.Severity ?? (g.ExceptionType is null ? ErrorSeverity.Medium : ErrorSeverity.High),
                    Resolved = state?.ResolvedAt is not null, Regressed = state?.Regressed ?? false,
                };
            })
            .ToArray();
    }

    public async Task<ErrorDetail?> GetErrorAsync(string fingerprint, int? limit = null, CancellationToken cancellationToken = default)
    {
        ValidateFingerprint(fingerprint);
        int occurrences = ValidateLimit(limit, 20, nameof(limit));
        if (_errors is not { } errorStore)
        {
            return null;
        }

        var state = (await errorStore.ReadErrorGroupsAsync([fingerprint], cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        if (state is null)
        {
            return null;
        }

        var rows = await errorStore.ReadErrorOccurrencesAsync(fingerprint, occurrences, cancellationToken).ConfigureAwait(false);
        return new ErrorDetail
        {
            Group = state,
            StackTrace = rows.Select(r => r.Request.StackTrace).FirstOrDefault(t => t is not null),
            Occurrences = rows.Select(r => new ErrorOccurrence
            {
                Id = r.Id, Time = r.Request.Timestamp, Method = r.Request.Method, Path = r.Request.Path,
                StatusCode = r.Request.StatusCode, Duration = r.Request.Duration.TotalMilliseconds,
                TraceId = r.Request.TraceId, Instance = r.Request.Instance, Message = r.Request.ExceptionMessage,
            }).ToArray(),
        };
    }

    public async Task<ErrorDetail?> ResolveErrorAsync(string fingerprint, CancellationToken cancellationToken = default)
    {
        ValidateFingerprint(fingerprint);
        if (_errors is not { } errorStore
            || !await errorStore.ResolveErrorGroupAsync(fingerprint, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return await GetErrorAsync(fingerprint, null, cancellationToken).ConfigureAwait(false);
    }

    private static void ValidateFingerprint(string fingerprint)
    {
        if (!ErrorFingerprints.IsValid(fingerprint))
        {
            throw new ArgumentException("A fingerprint is 16 lower-case hexadecimal digits, as the errors list shows it.", nameof(fingerprint));
        }
    }
}
