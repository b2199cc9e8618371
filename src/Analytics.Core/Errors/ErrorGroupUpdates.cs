namespace Analytics.Storage;

/// <summary>
/// The domain rule that turns a batch's error rollups into error-group updates (<see cref="AnalyticsBatch.ErrorGroups"/>):
/// kept here, once, rather than in each store.
/// </summary>
internal static class ErrorGroupUpdates
{
    /// <summary>
    /// The error groups a batch adds to, one per fingerprint, from its minute error rollups (hours and days hold the
    /// same failures again), ordered by fingerprint so that concurrent writers lock groups in one order.
    /// </summary>
    public static List<ErrorGroupState> From(IReadOnlyList<ErrorRollup> rollups)
    {
        var groups = new Dictionary<string, ErrorGroupState>(StringComparer.Ordinal);
        foreach (var r in rollups)
        {
            if (r.Granularity != Granularity.Minute || r.Fingerprint.Length == 0)
            {
                continue;
            }

            var update = new ErrorGroupState
            {
                Fingerprint = r.Fingerprint, Route = r.Route, Method = r.Method, StatusCode = r.StatusCode, ExceptionType = r.ExceptionType,
                Message = r.LastMessage, Count = r.Count, FirstSeen = r.FirstSeen, LastSeen = r.LastSeen, Severity = r.Severity,
            };
            if (groups.TryGetValue(r.Fingerprint, out var existing))
            {
                var latest = update.LastSeen >= existing.LastSeen ? update : existing;
                update = latest with
                {
                    Count = existing.Count + update.Count,
                    FirstSeen = existing.FirstSeen < update.FirstSeen ? existing.FirstSeen : update.FirstSeen,
                };
            }

            groups[r.Fingerprint] = update;
        }

        var list = groups.Values.ToList();
        list.Sort(static (a, b) => string.CompareOrdinal(a.Fingerprint, b.Fingerprint));
        return list;
    }
}
