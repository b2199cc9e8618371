using System.Collections.Concurrent;
using Analytics.Storage;

namespace Analytics.Testing;

/// <summary>An in-memory store whose writes can be made to fail or to stall, for pipeline tests.</summary>
public class FakeStore : IAnalyticsStore
{
    private readonly object _gate = new();
    private readonly List<RequestRecord> _requests = [];
    private readonly List<EventRecord> _events = [];
    private readonly List<RequestRollup> _requestRollups = [];
    private TaskCompletionSource? _stall;

    /// <summary>Gets or sets whether writes throw.</summary>
    public volatile bool Fail;

    public int WriteAttempts;

    public int BatchesWritten;

    public int LargestBatch;

    public IReadOnlyList<RequestRecord> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<EventRecord> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Gets the request rollups of every batch written, as written (not merged).</summary>
    public IReadOnlyList<RequestRollup> RequestRollups
    {
        get
        {
            lock (_gate)
            {
                return [.. _requestRollups];
            }
        }
    }

    /// <summary>Makes every write wait until <see cref="Release"/> is called.</summary>
    public void Stall() => _stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _stall?.TrySetResult();

    /// <summary>Gets or sets what runs at the start of every write, on the writer's thread (e.g. producers keeping pace).</summary>
    public Action? OnWrite { get; set; }

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref WriteAttempts);
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
            _requests.AddRange(batch.Requests);
            _events.AddRange(batch.Events);
            _requestRollups.AddRange(batch.RequestRollups.Select(r =>
            {
                var copy = new RequestRollup
                {
                    Granularity = r.Granularity, BucketStart = r.BucketStart, Route = r.Route, Method = r.Method, StatusCode = r.StatusCode,
                    Environment = r.Environment, Instance = r.Instance, Kind = r.Kind, Latency = new LatencySketch(),
                };
                RollupAccumulator.MergeInto(copy, r);
                return copy;
            }));
            BatchesWritten++;
            LargestBatch = Math.Max(LargestBatch, batch.Requests.Count + batch.Events.Count);
        }
    }

    public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredRequest>>(Requests.Select((r, i) => new StoredRequest(i + 1, r)).Reverse().Take(query.Limit).ToList());

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredEvent>>(Events.Select((e, i) => new StoredEvent(i + 1, e)).Reverse().Take(query.Limit).ToList());

    /// <summary>Gets the last rollup query the store was asked, to see which granularity a query chose.</summary>
    public RollupQuery? LastRollupQuery { get; private set; }

    /// <summary>Gets every request-rollup read the store was asked, in order.</summary>
    public ConcurrentQueue<RollupQuery> RollupQueries { get; } = new();

    public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        LastRollupQuery = query;
        RollupQueries.Enqueue(query);
        return RequestRollups
            .Where(r => r.Granularity == query.Granularity && r.BucketStart >= query.From && r.BucketStart < query.To && (query.Kind is null || r.Kind == query.Kind))
            .ToAsyncEnumerable();
    }

    public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => AsyncEnumerable.Empty<EventRollup>();

    public IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => AsyncEnumerable.Empty<ErrorRollup>();

    public Task<int> PurgeRawAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken) => Task.FromResult(0);

    public Task<int> PurgeRollupsAsync(Granularity granularity, DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken) => Task.FromResult(0);

    /// <summary>When set, a ping waits on this instead of answering at once (a store that hangs).</summary>
    public Func<CancellationToken, Task>? OnPing { get; set; }

    public Task PingAsync(CancellationToken cancellationToken) =>
        Fail ? Task.FromException(new IOException("The fake store is failing."))
        : OnPing is { } onPing ? onPing(cancellationToken)
        : Task.CompletedTask;
}
