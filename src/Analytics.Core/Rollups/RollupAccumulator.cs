namespace Analytics.Storage;

/// <summary>
/// Folds one batch of records into rollups. Records are counted into minute buckets as they arrive; hours and days are
/// then built by merging those minutes, so every coarser sketch is an exact merge of finer ones.
/// </summary>
/// <remarks>
/// Owned by the writer loop: not thread-safe. A request that names a consumer is counted twice: in the request rollups,
/// which count every request whoever called, and in the per-consumer rollups, under the names its
/// <see cref="ConsumerAdmission"/> gives it at each granularity.
/// </remarks>
internal sealed partial class RollupAccumulator(Func<RequestRecord, ErrorSeverity> classifyError, ConsumerAdmission admission)
{
    private readonly Dictionary<RequestKey, RequestRollup> _requestMinutes = [];
    private readonly Dictionary<ConsumerKey, RequestRollup> _consumerMinutes = [];
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
    private string? _lastConsumer;

    // The per-consumer rollup the previous request that named a consumer went to, for the same reason.
    private ConsumerKey _lastConsumerKey;
    private RequestRollup? _lastConsumerRollup;

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
            request.Kind,
            request.Release);
        long micros = Math.Max(0, request.Duration.Ticks / TimeSpan.TicksPerMicrosecond);
        RequestRollup? rollup;
        if (_lastRollup is { } last && key.Equals(_lastKey))
        {
            rollup = last;
        }
        else if (!_requestMinutes.TryGetValue(key, out rollup))
        {
            rollup = NewMinute(key.Create(), micros);
            _requestMinutes.Add(key, rollup);
        }

        if (!ReferenceEquals(rollup, _lastRollup))
        {
            // The users, clients and consumers last added were another row's (see below).
            _lastUser = null;
            _lastClient = null;
            _lastConsumer = null;
        }

        _lastKey = key;
        _lastRollup = rollup;

        bool isError = request.IsError;
        Fold(rollup, request, micros, isError);

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

        // The one check a request without a consumer pays.
        if (request.Consumer is { } consumer)
        {
            AddConsumer(request, key, consumer, micros, isError);
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
        _lastConsumer = null;
        _lastConsumerRollup = null;
        _requestMinutes.Clear();
        _consumerMinutes.Clear();
        _eventMinutes.Clear();
        _errorMinutes.Clear();
        _requests.Clear();
        _consumers.Clear();
        _events.Clear();
        _errors.Clear();
        _complete = true;
    }

    private static RequestRollup NewMinute(RequestRollup rollup, long micros)
    {
        rollup.DurationMinMicroseconds = micros;
        rollup.DurationMaxMicroseconds = micros;
        rollup.Latency = new LatencySketch();
        return rollup;
    }

    private static void Fold(RequestRollup rollup, in RequestRecord request, long micros, bool isError)
    {
        rollup.Count++;
        rollup.Errors += isError ? 1 : 0;
        rollup.DurationSumMicroseconds += micros;
        rollup.DurationMinMicroseconds = Math.Min(rollup.DurationMinMicroseconds, micros);
        rollup.DurationMaxMicroseconds = Math.Max(rollup.DurationMaxMicroseconds, micros);
        rollup.RequestBytes += request.RequestBytes;
        rollup.ResponseBytes += request.ResponseBytes;
        rollup.Latency!.Add(Math.Max(0, request.Duration.Ticks / (double)TimeSpan.TicksPerMicrosecond));
    }

    /// <summary>
    /// Counts the consumer into its row's distinct-consumer sketch and the request into a per-consumer minute rollup.
    /// That minute rollup is keyed by the names the request has at all three granularities, so that the hour and day
    /// rows, built by merging minutes, count each request under the name their own bucket gave it: a consumer beyond
    /// the limit in a busy minute but named in its hour is counted in full in the hour.
    /// </summary>
    private void AddConsumer(in RequestRecord request, in RequestKey key, string consumer, long micros, bool isError)
    {
        var rollup = _lastRollup!;
        if (!string.Equals(consumer, _lastConsumer, StringComparison.Ordinal))
        {
            (rollup.Consumers ??= new CardinalitySketch()).Add(consumer);
            _lastConsumer = consumer;
        }

        var consumerKey = new ConsumerKey(key, admission.Admit(consumer, key.BucketStart));
        RequestRollup? consumerRollup;
        if (_lastConsumerRollup is { } last && consumerKey.Equals(_lastConsumerKey))
        {
            consumerRollup = last;
        }
        else if (!_consumerMinutes.TryGetValue(consumerKey, out consumerRollup))
        {
            consumerRollup = NewMinute(key.Create(consumerKey.Names.Minute), micros);
            _consumerMinutes.Add(consumerKey, consumerRollup);
        }

        _lastConsumerKey = consumerKey;
        _lastConsumerRollup = consumerRollup;
        Fold(consumerRollup, request, micros, isError);
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
        _consumers.Clear();
        _events.Clear();
        _errors.Clear();
        _requests.AddRange(_requestMinutes.Values);
        Coarsen(
            _consumerMinutes,
            Granularity.Minute,
            static (k, _) => new ConsumerRowKey(k.Key, k.Names.Minute),
            static k => k.Key.Create(k.Consumer),
            MergeInto,
            _consumers);
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
                _consumerMinutes,
                granularity,
                static (k, g) => new ConsumerRowKey(
                    k.Key with { Granularity = g, BucketStart = g.Floor(k.Key.BucketStart) },
                    g == Granularity.Hour ? k.Names.Hour : k.Names.Day),
                static k => k.Key.Create(k.Consumer),
                MergeInto,
                _consumers);
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

    private static void Coarsen<TKey, TCoarseKey, TRollup>(
        Dictionary<TKey, TRollup> minutes,
        Granularity granularity,
        Func<TKey, Granularity, TCoarseKey> coarsenKey,
        Func<TCoarseKey, TRollup> create,
        Action<TRollup, TRollup> mergeInto,
        List<TRollup> output)
        where TKey : notnull
        where TCoarseKey : notnull
    {
        var coarse = new Dictionary<TCoarseKey, TRollup>();
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
}
