using System.Collections.Concurrent;
using Analytics.Storage;

namespace Analytics.Testing;

/// <summary>
/// A complete in-memory store, simple rather than fast, whose writes can be made to fail or to stall, for pipeline and
/// query tests. It passes the store conformance kit (Analytics.Storage.Testing): the core suite always, and every
/// capability suite when created with <c>allCapabilities</c>. By default it declares no capability, as a store that
/// implements <see cref="IAnalyticsStore"/> alone.
/// </summary>
/// <remarks>
/// The capability interfaces are implemented explicitly, so that a test's store can derive from this one and implement
/// one of them itself (as <c>HealthSamplerTests</c> does).
/// </remarks>
public partial class FakeStore
    : IAnalyticsStore, IErrorStore, IAlertStore, IWebhookStore, IHealthMetricsStore, IRequestCountStore, IConsumerRollupStore,
        IUptimeStore, IRawAheadStore
{
    private const int MaxRawLimit = 10_000;

    private readonly object _gate = new();
    private readonly List<StoredRequest> _requests = [];
    private readonly List<StoredEvent> _events = [];
    private readonly List<RequestRollup> _writtenRequestRollups = [];
    private readonly Dictionary<RequestKey, RequestRollup> _requestRollups = [];
    private readonly Dictionary<RequestKey, RequestRollup> _consumerRollups = [];
    private readonly Dictionary<EventKey, EventRollup> _eventRollups = [];
    private readonly Dictionary<ErrorKey, ErrorRollup> _errorRollups = [];
    private readonly Dictionary<HealthKey, HealthRollup> _healthRollups = [];
    private readonly Dictionary<string, ErrorGroupState> _errorGroups = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, AlertRule> _alertRules = new(StringComparer.Ordinal);
    private readonly List<AlertTransition> _alertHistory = [];
    private readonly SortedDictionary<string, WebhookSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly List<WebhookMessage> _outbox = [];
    private readonly List<WebhookAttempt> _attempts = [];
    private long _lastRequestId;
    private long _lastEventId;
    private long _lastHistoryId;
    private long _lastAttemptId;
    private TaskCompletionSource? _stall;
    private (long Requests, long Events)? _rawAhead; // the last ids folded when raw rows went ahead (IRawAheadStore)

    /// <summary>Creates a store that declares no capability, or every one that has a conformance suite.</summary>
    /// <param name="allCapabilities">
    /// Whether to declare errors, alerts, webhooks, health metrics, request counts, consumers, uptime and raw rows ahead of
    /// their rollups (not leadership: this store belongs to one process). The data is kept either way; this says only what
    /// the store declares.
    /// </param>
    public FakeStore(bool allCapabilities = false)
    {
        Capabilities = allCapabilities
            ? new StoreCapabilities
            {
                Errors = this, Alerts = this, Webhooks = this, HealthMetrics = this, RequestCounts = this, Consumers = this,
                Uptime = this, RawAhead = this,
            }
            : StoreCapabilities.None;
    }

    /// <summary>Gets or sets whether writes and pings throw.</summary>
    public volatile bool Fail;

    /// <summary>Counts the calls to <see cref="WriteBatchAsync"/>, failed ones included.</summary>
    public int WriteAttempts;

    /// <summary>Gets the <see cref="AnalyticsBatch.Id"/> of every call to <see cref="WriteBatchAsync"/>, failed ones included, in order.</summary>
    public ConcurrentQueue<Guid> AttemptedBatchIds { get; } = new();

    /// <summary>Counts the batches written.</summary>
    public int BatchesWritten;

    /// <summary>Gets the most raw rows (requests and events) one written batch held.</summary>
    public int LargestBatch;

    /// <summary>Counts the batches written with <see cref="AnalyticsBatch.RawAhead"/>.</summary>
    public int RawAheadBatches;

    /// <inheritdoc/>
    public StoreCapabilities Capabilities { get; }

    /// <summary>Gets the raw requests kept, in the order written.</summary>
    public IReadOnlyList<RequestRecord> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests.Select(r => r.Request)];
            }
        }
    }

    /// <summary>Gets the raw events kept, in the order written.</summary>
    public IReadOnlyList<EventRecord> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events.Select(e => e.Event)];
            }
        }
    }

    /// <summary>Gets the request rollups of every batch written, as written (not merged, and never purged).</summary>
    public IReadOnlyList<RequestRollup> RequestRollups
    {
        get
        {
            lock (_gate)
            {
                return [.. _writtenRequestRollups];
            }
        }
    }

    /// <summary>Gets the last request-rollup read the store was asked, to see the granularity a query chose.</summary>
    public RollupQuery? LastRollupQuery { get; private set; }

    /// <summary>Gets every request-rollup read the store was asked, in order.</summary>
    public ConcurrentQueue<RollupQuery> RollupQueries { get; } = new();

    /// <summary>Gets or sets what runs at the start of every write, on the writer's thread.</summary>
    public Action? OnWrite { get; set; }

    /// <summary>When set, a ping waits on this instead of answering at once (a store that hangs).</summary>
    public Func<CancellationToken, Task>? OnPing { get; set; }

    /// <summary>Makes every write wait until <see cref="Release"/> is called.</summary>
    public void Stall() => _stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets the writes that <see cref="Stall"/> held go on.</summary>
    public void Release() => _stall?.TrySetResult();

    /// <inheritdoc/>
    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Interlocked.Increment(ref WriteAttempts);
        AttemptedBatchIds.Enqueue(batch.Id);
        OnWrite?.Invoke();
        if (_stall is { } stall)
        {
            await stall.Task.WaitAsync(cancellationToken);
        }

        if (Fail)
        {
            throw new IOException("The fake store is failing.");
        }

        lock (_gate)
        {
            // The batch's lists are reused once this returns: everything kept is a copy. One lock: all or nothing.
            ThrowIfTaken(batch.WebhookMessages);
            if (batch.RawAhead)
            {
                _rawAhead ??= (_lastRequestId, _lastEventId);
            }
            else if (batch.CatchesUp)
            {
                _rawAhead = null;
            }

            _outbox.AddRange(batch.WebhookMessages);
            foreach (var request in batch.Requests)
            {
                _requests.Add(new StoredRequest(++_lastRequestId, request));
            }

            foreach (var analyticsEvent in batch.Events)
            {
                _events.Add(new StoredEvent(++_lastEventId, analyticsEvent));
            }

            foreach (var rollup in batch.RequestRollups)
            {
                _writtenRequestRollups.Add(Copy(rollup, sketches: true, cardinality: true));
                Stored(_requestRollups, RequestKey.Of(rollup), static k => k.Create()).Add(rollup);
            }

            foreach (var rollup in batch.ConsumerRollups)
            {
                Stored(_consumerRollups, RequestKey.Of(rollup), static k => k.Create()).Add(rollup);
            }

            foreach (var rollup in batch.EventRollups)
            {
                Stored(_eventRollups, EventKey.Of(rollup), static k => k.Create()).Add(rollup);
            }

            foreach (var rollup in batch.ErrorRollups)
            {
                Stored(_errorRollups, ErrorKey.Of(rollup), static k => k.Create()).Add(rollup);
            }

            foreach (var update in batch.ErrorGroups)
            {
                _errorGroups[update.Fingerprint] =
                    _errorGroups.TryGetValue(update.Fingerprint, out var group) ? Apply(group, update) : update;
            }

            BatchesWritten++;
            RawAheadBatches += batch.RawAhead ? 1 : 0;
            LargestBatch = Math.Max(LargestBatch, batch.Requests.Count + batch.Events.Count);
        }
    }

    /// <inheritdoc/>
    Task<RawAheadRows?> IRawAheadStore.ReadRawAheadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rawAhead is { } after
                ? new RawAheadRows(
                    [.. _requests.Where(r => r.Id > after.Requests).Select(r => r.Request)],
                    [.. _events.Where(e => e.Id > after.Events).Select(e => e.Event)])
                : null);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfOutOfRange(query.Limit);
        lock (_gate)
        {
            IReadOnlyList<StoredRequest> page =
                Page(_requests, r => r.Id, r => r.Request.Timestamp, query, r => Matches(query, r.Request));
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfOutOfRange(query.Limit);
        lock (_gate)
        {
            IReadOnlyList<StoredEvent> page =
                Page(_events, e => e.Id, e => e.Event.Timestamp, query, e => Matches(query, e.Event));
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(
        RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        LastRollupQuery = query;
        RollupQueries.Enqueue(query);
        return ReadRequestRollups(query)
            .Select(r => Copy(r, query.IncludeSketches, query.IncludeCardinality))
            .ToList()
            .ToAsyncEnumerable();
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            return _eventRollups.Values
                .Where(r => Matches(query, r))
                .Select(r => Copy(r, query.IncludeSketches))
                .ToList()
                .ToAsyncEnumerable();
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            return _errorRollups.Values.Where(r => Matches(query, r)).Select(Copy).ToList().ToAsyncEnumerable();
        }
    }

    /// <inheritdoc/>
    public Task<int> PurgeRawAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        lock (_gate)
        {
            int deleted = RemoveOldest(_requests, r => r.Request.Timestamp, cutoff, maxRows);
            deleted += RemoveOldest(_events, e => e.Event.Timestamp, cutoff, maxRows - deleted);
            return Task.FromResult(deleted);
        }
    }

    /// <inheritdoc/>
    public Task<int> PurgeRollupsAsync(
        Granularity granularity, DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        bool Expired(Granularity g, DateTimeOffset bucketStart) => g == granularity && bucketStart < cutoff;
        lock (_gate)
        {
            int deleted = RemoveWhere(_requestRollups, k => Expired(k.Granularity, k.BucketStart), maxRows);
            deleted += RemoveWhere(_consumerRollups, k => Expired(k.Granularity, k.BucketStart), maxRows - deleted);
            deleted += RemoveWhere(_eventRollups, k => Expired(k.Granularity, k.BucketStart), maxRows - deleted);
            deleted += RemoveWhere(_errorRollups, k => Expired(k.Granularity, k.BucketStart), maxRows - deleted);
            deleted += RemoveWhere(_healthRollups, k => Expired(k.Granularity, k.BucketStart), maxRows - deleted);
            if (granularity == Granularity.Hour)
            {
                deleted += PurgeHealthCheckSamples(cutoff, maxRows - deleted);
            }

            return Task.FromResult(deleted);
        }
    }

    /// <inheritdoc/>
    public Task PingAsync(CancellationToken cancellationToken) =>
        Fail ? Task.FromException(new IOException("The fake store is failing."))
        : OnPing is { } onPing ? onPing(cancellationToken)
        : Task.CompletedTask;
}
