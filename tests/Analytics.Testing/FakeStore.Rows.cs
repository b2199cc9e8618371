using Analytics.Storage;

namespace Analytics.Testing;

/// <summary>Keeping rows: merging rollups by key, copying them out, purging in chunks.</summary>
public partial class FakeStore
{
    /// <summary>Throws, adding nothing, when a message's id is taken (as a primary key would).</summary>
    private void ThrowIfTaken(IReadOnlyList<WebhookMessage> messages)
    {
        var ids = new HashSet<string>(_outbox.Select(m => m.Id), StringComparer.Ordinal);
        foreach (var message in messages)
        {
            if (!ids.Add(message.Id))
            {
                throw new InvalidOperationException($"The webhook message id '{message.Id}' is taken.");
            }
        }
    }

    /// <summary>Deletes at most <paramref name="maxRows"/> rows from before <paramref name="cutoff"/>.</summary>
    private static int RemoveOldest<T>(List<T> rows, Func<T, DateTimeOffset> time, DateTimeOffset cutoff, int maxRows)
        where T : class
    {
        if (maxRows <= 0)
        {
            return 0;
        }

        var doomed = rows.Where(r => time(r) < cutoff).OrderBy(time).Take(maxRows)
            .ToHashSet(ReferenceEqualityComparer.Instance);
        return rows.RemoveAll(doomed.Contains);
    }

    private static int RemoveWhere<TKey, TValue>(Dictionary<TKey, TValue> rows, Func<TKey, bool> expired, int maxRows)
        where TKey : notnull
    {
        if (maxRows <= 0)
        {
            return 0;
        }

        var doomed = rows.Keys.Where(expired).Take(maxRows).ToList();
        foreach (var key in doomed)
        {
            rows.Remove(key);
        }

        return doomed.Count;
    }

    private static TValue Stored<TKey, TValue>(Dictionary<TKey, TValue> rows, TKey key, Func<TKey, TValue> create)
        where TKey : notnull
    {
        if (!rows.TryGetValue(key, out var stored))
        {
            rows.Add(key, stored = create(key));
        }

        return stored;
    }

    /// <summary>Adds an update to the stored group, as <see cref="AnalyticsBatch.ErrorGroups"/> asks.</summary>
    private static ErrorGroupState Apply(ErrorGroupState group, ErrorGroupState update)
    {
        var latest = update.LastSeen >= group.LastSeen ? update : group;
        bool reopens = group.ResolvedAt is { } resolvedAt && update.LastSeen > resolvedAt;
        return latest with
        {
            Count = group.Count + update.Count,
            FirstSeen = group.FirstSeen < update.FirstSeen ? group.FirstSeen : update.FirstSeen,
            ResolvedAt = reopens ? null : group.ResolvedAt,
            Regressed = reopens || group.Regressed,
        };
    }

    private static RequestRollup Copy(RequestRollup row, bool sketches, bool cardinality)
    {
        var copy = RequestKey.Of(row).Create();
        copy.Add(row); // rows merge as a database merges two rows with one key
        copy.Latency = sketches ? copy.Latency ?? new LatencySketch() : null;
        if (!cardinality)
        {
            copy.Users = null;
            copy.Clients = null;
            copy.Consumers = null;
        }

        return copy;
    }

    private static EventRollup Copy(EventRollup row, bool sketches)
    {
        var copy = EventKey.Of(row).Create();
        copy.Add(row); // rows merge as a database merges two rows with one key
        if (!sketches)
        {
            copy.Duration = null;
        }

        return copy;
    }

    private static ErrorRollup Copy(ErrorRollup row)
    {
        var copy = ErrorKey.Of(row).Create();
        copy.Add(row); // rows merge as a database merges two rows with one key
        return copy;
    }

    private readonly record struct RequestKey(
        Granularity Granularity,
        DateTimeOffset BucketStart,
        string Route,
        string Method,
        int StatusCode,
        string? Environment,
        string? Instance,
        RequestKind Kind,
        string? Release,
        string? Consumer)
    {
        public static RequestKey Of(RequestRollup r) => new(
            r.Granularity, r.BucketStart, r.Route, r.Method, r.StatusCode, r.Environment, r.Instance, r.Kind, r.Release,
            r.Consumer);

        public RequestRollup Create() => new()
        {
            Granularity = Granularity,
            BucketStart = BucketStart,
            Route = Route,
            Method = Method,
            StatusCode = StatusCode,
            Environment = Environment,
            Instance = Instance,
            Kind = Kind,
            Release = Release,
            Consumer = Consumer,
        };
    }

    private readonly record struct EventKey(
        Granularity Granularity, DateTimeOffset BucketStart, string Name, string? Environment, string? Instance)
    {
        public static EventKey Of(EventRollup r) =>
            new(r.Granularity, r.BucketStart, r.Name, r.Environment, r.Instance);

        public EventRollup Create() => new()
        {
            Granularity = Granularity,
            BucketStart = BucketStart,
            Name = Name,
            Environment = Environment,
            Instance = Instance,
        };
    }

    private readonly record struct ErrorKey(
        Granularity Granularity,
        DateTimeOffset BucketStart,
        string Route,
        string Method,
        int StatusCode,
        string? ExceptionType,
        string Fingerprint,
        string? Environment,
        string? Instance,
        RequestKind Kind)
    {
        public static ErrorKey Of(ErrorRollup r) => new(
            r.Granularity, r.BucketStart, r.Route, r.Method, r.StatusCode, r.ExceptionType, r.Fingerprint,
            r.Environment, r.Instance, r.Kind);

        public ErrorRollup Create() => new()
        {
            Granularity = Granularity,
            BucketStart = BucketStart,
            Route = Route,
            Method = Method,
            StatusCode = StatusCode,
            ExceptionType = ExceptionType,
            Fingerprint = Fingerprint,
            Environment = Environment,
            Instance = Instance,
            Kind = Kind,
        };
    }

    private readonly record struct HealthKey(
        Granularity Granularity, DateTimeOffset BucketStart, string Instance, string Metric);
}
