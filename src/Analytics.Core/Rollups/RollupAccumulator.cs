namespace Analytics.Storage;

/// <summary>
/// Folds one batch of records into rollups. Records are counted into minute buckets as they arrive; hours and days are
/// then built by merging those minutes, so every coarser sketch is an exact merge of finer ones.
/// </summary>
/// <remarks>Owned by the writer loop: not thread-safe.</remarks>
internal sealed class RollupAccumulator(Func<RequestRecord, ErrorSeverity> classifyError)
{
    private readonly Dictionary<RequestKey, RequestRollup> _requestMinutes = [];
    private readonly Dictionary<EventKey, EventRollup> _eventMinutes = [];
    private readonly Dictionary<ErrorKey, ErrorRollup> _errorMinutes = [];

    private readonly List<RequestRollup> _requests = [];
    private readonly List<RequestRollup> _consumers = [];
    private readonly List<EventRollup> _events = [];
    private readonly List<ErrorRollup> _errors = [];
    private bool _complete = true;

    // The rollup the previous request went to. Consecutive requests usually share route, status and minute, and the
    // key's strings are then the same instances, so comparing is cheaper than hashing five fields per request.
    private RequestKey _lastKey;
    private RequestRollup? _lastRollup;
    private string? _lastUser;
    private string? _lastClient;

    /// <summary>Gets the request rollups of every granularity.</summary>
    public IReadOnlyList<RequestRollup> Requests => Complete()._requests;

    /// <summary>Gets the per-consumer request rollups of every granularity.</summary>
    public IReadOnlyList<RequestRollup> Consumers => Complete()._consumers;

    /// <summary>Gets the custom-event rollups of every granularity.</summary>
    public IReadOnlyList<EventRollup> Events => Complete()._events;

    /// <summary>Gets the error rollups of every granularity.</summary>
    public IReadOnlyList<ErrorRollup> Errors => Complete()._errors;

    public void Add(in RequestRecord request)
    {
        _complete = false;
        var bucket = Granularity.Minute.Floor(request.Timestamp);
        var key = new RequestKey(
            Granularity.Minute,
            bucket,
            request.Route,
            request.Method,
            request.StatusCode,
            request.Environment,
            request.Instance,
            request.Kind);
        long micros = Math.Max(0, request.Duration.Ticks / TimeSpan.TicksPerMicrosecond);
        RequestRollup? rollup;
        if (_lastRollup is { } last && key.Equals(_lastKey))
        {
            rollup = last;
        }
        else if (!_requestMinutes.TryGetValue(key, out rollup))
        {
            rollup = key.Create();
            rollup.DurationMinMicroseconds = micros;
            rollup.DurationMaxMicroseconds = micros;
            rollup.Latency = new LatencySketch();
            _requestMinutes.Add(key, rollup);
        }

        if (!ReferenceEquals(rollup, _lastRollup))
        {
            // The users and clients last added were another row's (see below).
            _lastUser = null;
            _lastClient = null;
        }

        _lastKey = key;
        _lastRollup = rollup;

        bool isError = request.IsError;
        rollup.Count++;
        rollup.Errors += isError ? 1 : 0;
        rollup.DurationSumMicroseconds += micros;
        rollup.DurationMinMicroseconds = Math.Min(rollup.DurationMinMicroseconds, micros);
        rollup.DurationMaxMicroseconds = Math.Max(rollup.DurationMaxMicroseconds, micros);
        rollup.RequestBytes += request.RequestBytes;
        rollup.ResponseBytes += request.ResponseBytes;
        rollup.Latency!.Add(Math.Max(0, request.Duration.Ticks / (double)TimeSpan.TicksPerMicrosecond));

        // The same user or client as the previous request of the same row changes nothing: skip the hash. A keep-alive
        // connection's requests come one after another with the same client string.
        if (request.UserId is { } userId && !string.Equals(userId, _lastUser, StringComparison.Ordinal))
        {
            (rollup.Users ??= new CardinalitySketch()).Add(userId);
            _lastUser = userId;
        }

        if (request.ClientIp is { } clientIp && !string.Equals(clientIp, _lastClient, StringComparison.Ordinal))
        {
            (rollup.Clients ??= new CardinalitySketch()).Add(clientIp);
            _lastClient = clientIp;
        }

        if (isError)
        {
            AddError(request, bucket);
        }
    }

    public void Add(EventRecord analyticsEvent)
    {
        _complete = false;
        var key = new EventKey(
            Granularity.Minute,
            Granularity.Minute.Floor(analyticsEvent.Timestamp),
            analyticsEvent.Name,
            analyticsEvent.Environment,
            analyticsEvent.Instance);
        if (!_eventMinutes.TryGetValue(key, out var rollup))
        {
            rollup = key.Create();
            _eventMinutes.Add(key, rollup);
        }

        rollup.Count++;
        rollup.Successes += analyticsEvent.Success == true ? 1 : 0;
        rollup.Failures += analyticsEvent.Success == false ? 1 : 0;
        if (analyticsEvent.Duration is { } duration)
        {
            (rollup.Duration ??= new LatencySketch()).Add(Math.Max(0, duration.Ticks / (double)TimeSpan.TicksPerMicrosecond));
        }
    }

    public void Clear()
    {
        _lastRollup = null;
        _lastUser = null;
        _lastClient = null;
        _requestMinutes.Clear();
        _eventMinutes.Clear();
        _errorMinutes.Clear();
        _requests.Clear();
        _consumers.Clear();
        _events.Clear();
        _errors.Clear();
        _complete = true;
    }

    private void AddError(in RequestRecord request, DateTimeOffset bucket)
    {
        var key = new ErrorKey(
            Granularity.Minute,
            bucket,
            request.Route,
            request.Method,
            request.StatusCode,
            request.ExceptionType,
            request.ErrorFingerprint ?? string.Empty,
            request.Environment,
            request.Instance,
            request.Kind);
        if (!_errorMinutes.TryGetValue(key, out var rollup))
        {
            rollup = key.Create();
            rollup.FirstSeen = request.Timestamp;
            rollup.LastSeen = request.Timestamp;
            _errorMinutes.Add(key, rollup);
        }

        rollup.Count++;
        if (request.Timestamp < rollup.FirstSeen)
        {
            rollup.FirstSeen = request.Timestamp;
        }

        if (request.Timestamp >= rollup.LastSeen)
        {
            rollup.LastSeen = request.Timestamp;
            rollup.LastMessage = request.ExceptionMessage;
            rollup.Severity = Classify(request);
        }
    }

    /// <summary>The host's classification; one that throws falls back to the default rather than losing the batch.</summary>
    private ErrorSeverity Classify(in RequestRecord request)
    {
        try
        {
            return classifyError(request);
        }
        catch (Exception)
        {
            return ErrorFingerprints.DefaultSeverity(request);
        }
    }

    /// <summary>Builds the hour and day rollups from the minute ones, once per change.</summary>
    private RollupAccumulator Complete()
    {
        if (_complete)
        {
            return this;
        }

        _requests.Clear();
        _events.Clear();
        _errors.Clear();
        _requests.AddRange(_requestMinutes.Values);
        _events.AddRange(_eventMinutes.Values);
        _errors.AddRange(_errorMinutes.Values);
        foreach (var granularity in (ReadOnlySpan<Granularity>)[Granularity.Hour, Granularity.Day])
        {
            Coarsen(
                _requestMinutes,
                granularity,
                static (k, g) => k with { Granularity = g, BucketStart = g.Floor(k.BucketStart) },
                static k => k.Create(),
                MergeInto,
                _requests);
            Coarsen(
                _eventMinutes,
                granularity,
                static (k, g) => k with { Granularity = g, BucketStart = g.Floor(k.BucketStart) },
                static k => k.Create(),
                MergeInto,
                _events);
            Coarsen(
                _errorMinutes,
                granularity,
                static (k, g) => k with { Granularity = g, BucketStart = g.Floor(k.BucketStart) },
                static k => k.Create(),
                MergeInto,
                _errors);
        }

        _complete = true;
        return this;
    }

    private static void Coarsen<TKey, TRollup>(
        Dictionary<TKey, TRollup> minutes,
        Granularity granularity,
        Func<TKey, Granularity, TKey> coarsenKey,
        Func<TKey, TRollup> create,
        Action<TRollup, TRollup> mergeInto,
        List<TRollup> output)
        where TKey : notnull
    {
        var coarse = new Dictionary<TKey, TRollup>();
        foreach (var (key, minute) in minutes)
        {
            var coarseKey = coarsenKey(key, granularity);
            if (!coarse.TryGetValue(coarseKey, out var rollup))
            {
                rollup = create(coarseKey);
                coarse.Add(coarseKey, rollup);
            }

            mergeInto(rollup, minute);
        }

        output.AddRange(coarse.Values);
    }

    /// <summary>Adds <paramref name="source"/> to <paramref name="target"/> (<see cref="RequestRollup.Add"/>).</summary>
    internal static void MergeInto(RequestRollup target, RequestRollup source) => target.Add(source);

    internal static void MergeInto(EventRollup target, EventRollup source) => target.Add(source);

    internal static void MergeInto(ErrorRollup target, ErrorRollup source) => target.Add(source);

    // The kind is part of the key so that a row's durations and sketch describe one kind: a WebSocket row's sketch holds
    // connection lifetimes, and queries choose whether to count them as latency. A route almost always serves one kind,
    // so this adds rows only where a route mixes them (a SignalR hub: WebSockets, SSE and long polling on one route).
    private readonly record struct RequestKey(
        Granularity Granularity,
        DateTimeOffset BucketStart,
        string Route,
        string Method,
        int StatusCode,
        string? Environment,
        string? Instance,
        RequestKind Kind)
    {
        public RequestRollup Create() => new()
        {
            Granularity = Granularity, BucketStart = BucketStart, Route = Route, Method = Method,
            StatusCode = StatusCode, Environment = Environment, Instance = Instance, Kind = Kind,
        };
    }

    private readonly record struct EventKey(
        Granularity Granularity,
        DateTimeOffset BucketStart,
        string Name,
        string? Environment,
        string? Instance)
    {
        public EventRollup Create() => new()
        {
            Granularity = Granularity, BucketStart = BucketStart, Name = Name, Environment = Environment, Instance = Instance,
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
        public ErrorRollup Create() => new()
        {
            Granularity = Granularity, BucketStart = BucketStart, Route = Route, Method = Method,
            StatusCode = StatusCode, ExceptionType = ExceptionType, Fingerprint = Fingerprint,
            Environment = Environment, Instance = Instance, Kind = Kind,
        };
    }
}
