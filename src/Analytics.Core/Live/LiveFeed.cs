using System.Threading.Channels;
using Analytics.Storage;
using Analytics.Telemetry;
using Microsoft.Extensions.Options;

namespace Analytics.Live;

/// <summary>
/// The fan-out behind the live stream. The writer publishes each committed batch here; the feed numbers the messages,
/// and a separate loop (<see cref="RunAsync"/>) turns each into JSON once, keeps the latest in a ring for reconnects and
/// copies them into every subscriber's bounded queue, one chunk at a time. The writer's cost is therefore one small
/// object per record and one queue write per batch, whatever the number of subscribers and however slow they read.
/// </summary>
/// <remarks>
/// Memory is bounded in bytes of serialized JSON, which every queue shares: each connection's queue
/// (<see cref="LiveFeedLimits.SubscriberBytes"/>), all of them together (<see cref="LiveFeedLimits.TotalBytes"/>, where
/// a message queued for several connections counts once in each, so the bound is conservative), and the ring.
/// </remarks>
internal sealed class LiveFeed
{
    // A reconnect must find what it missed, so the ring keeps filling for a while after the last subscriber left.
    private static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    private readonly object _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly LiveFeedLimits _limits;
    private readonly ILiveMessageSerializer _serializer;
    private readonly LiveMessage?[] _ring;
    private readonly Channel<LiveMessage[]> _fanOut;
    private int _ringNext;
    private int _ringCount;
    private long _ringBytes;
    private long _queuedBytes;
    private long _lastId;
    private long _fannedOutThrough;
    private long _activeUntil;
    private LiveSubscriber[] _subscribers = [];

    // Closed by CloseAll but still sending what they had queued: they hold a connection and memory until they end, so
    // they count toward MaxStreamSubscribers and the total bytes until their connection disposes them.
    private LiveSubscriber[] _closing = [];

    public LiveFeed(IOptions<RequestAnalyticsOptions> options, ILiveMessageSerializer serializer, AnalyticsMetrics metrics, TimeProvider timeProvider)
        : this(LiveFeedLimits.From(options.Value), serializer, timeProvider) =>
        metrics.ObserveStreamBufferedBytes(() => QueuedBytes);

    internal LiveFeed(LiveFeedLimits limits, ILiveMessageSerializer serializer, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _limits = limits;
        _serializer = serializer;
        _ring = new LiveMessage?[limits.ReplayCapacity];

        // Ids start at the start time in microseconds, so they keep increasing across restarts of the process and a
        // client's Last-Event-ID from an earlier run never hides new events.
        _lastId = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() * 1_000;

        // The fan-out loop never blocks, so this queue stays near empty; the bound only guards memory against a loop
        // that is not running at all.
        _fanOut = Channel.CreateBounded<LiveMessage[]>(
            new BoundedChannelOptions(1_024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    }

    /// <summary>Gets the number of connections the feed sends to.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Gets the number of connections open: those the feed sends to and those closed but still draining.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Length + _closing.Length;
            }
        }
    }

    /// <summary>Gets the bytes queued for all connections together, a message counted once in each queue that holds it.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>Gets the bytes the replay ring holds.</summary>
    public long ReplayBytes => Interlocked.Read(ref _ringBytes);

    /// <summary>Gets the id of the latest message.</summary>
    public long LastId => Interlocked.Read(ref _lastId);

    /// <summary>Gets the id of the latest message the fan-out loop has queued for the subscribers; tests wait on it.</summary>
    internal long FannedOutThrough => Interlocked.Read(ref _fannedOutThrough);

    /// <summary>Gets whether anyone listens, or listened recently enough to reconnect: the writer publishes only then.</summary>
    public bool IsActive => SubscriberCount > 0 || _timeProvider.GetTimestamp() < Volatile.Read(ref _activeUntil);

    /// <summary>
    /// Opens a subscription, queueing first what the ring holds after <paramref name="lastEventId"/>. Returns
    /// <see langword="null"/> when <see cref="RequestAnalyticsOptions.MaxStreamSubscribers"/> connections are already
    /// open, counting those closed by <see cref="CloseAll"/> that have not ended yet.
    /// </summary>
    public LiveSubscriber? TrySubscribe(long? lastEventId)
    {
        LiveSubscriber subscriber;
        lock (_lock)
        {
            if (_subscribers.Length + _closing.Length >= _limits.MaxSubscribers)
            {
                return null;
            }

            if (!IsActive)
            {
                ClearRing(); // what it holds is older than the gap in which nothing was kept
            }

            // Without a known last id, the client starts now. With one, it gets what the ring still holds after it.
            var connectedId = lastEventId is { } last && last <= _lastId ? last : _lastId;
            subscriber = new LiveSubscriber(this, Guid.NewGuid().ToString("N"), connectedId, _limits, _timeProvider);
            var missed = new List<LiveMessage>();
            for (var i = 0; i < _ringCount; i++)
            {
                var message = _ring[(_ringNext - _ringCount + i + _ring.Length) % _ring.Length]!;
                if (message.Id > connectedId)
                {
                    missed.Add(message);
                }
            }

            subscriber.Replay(missed);
            Volatile.Write(ref _subscribers, [.. _subscribers, subscriber]);
        }

        TrimToTotal();
        return subscriber;
    }

    /// <summary>Publishes the requests and events of a committed batch. Called by the writer only; never blocks.</summary>
    public void Publish(IReadOnlyList<RequestRecord> requests, IReadOnlyList<EventRecord> events)
    {
        var count = requests.Count + events.Count;
        if (count == 0 || !IsActive)
        {
            return;
        }

        var messages = new LiveMessage[count];
        lock (_lock)
        {
            for (var i = 0; i < requests.Count; i++)
            {
                messages[i] = LiveMessage.ForRequest(++_lastId, requests[i]);
            }

            for (var i = 0; i < events.Count; i++)
            {
                messages[requests.Count + i] = LiveMessage.ForPayload(++_lastId, LiveMessageKind.Event, events[i], replayable: true);
            }

            _fanOut.Writer.TryWrite(messages); // under the lock, so chunks reach the loop in id order
        }
    }

    /// <summary>Sends one message to every subscriber; <paramref name="replayable"/> ones are also kept for reconnects.</summary>
    public void Broadcast(LiveMessageKind kind, object? payload, bool replayable = false)
    {
        lock (_lock)
        {
            _fanOut.Writer.TryWrite([LiveMessage.ForPayload(++_lastId, kind, payload, replayable)]);
        }
    }

    /// <summary>Takes a fresh id for a message sent to one connection only (its closing <c>ping</c>).</summary>
    public long NextId()
    {
        lock (_lock)
        {
            return ++_lastId;
        }
    }

    /// <summary>
    /// Ends every open connection: each sends what it has queued and closes. Returns how many there were. They still
    /// count toward the cap until their connections end.
    /// </summary>
    public int CloseAll()
    {
        lock (_lock)
        {
            var subscribers = _subscribers;
            foreach (var subscriber in subscribers)
            {
                subscriber.Complete();
            }

            Volatile.Write(ref _subscribers, []);
            _closing = [.. _closing, .. subscribers];
            KeepReplaying();
            return subscribers.Length;
        }
    }

    /// <summary>Lets go of the replay ring once no reconnect can use it any more; the feed service calls it periodically.</summary>
    public void ForgetIfIdle()
    {
        lock (_lock)
        {
            if (!IsActive)
            {
                ClearRing();
            }
        }
    }

    /// <summary>Copies published messages to the subscribers until <paramref name="cancellationToken"/> ends it.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (await _fanOut.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            Pump();
        }
    }

    /// <summary>Delivers whatever is waiting now; the loop's body, also used by tests to step the feed.</summary>
    internal void Pump()
    {
        while (_fanOut.Reader.TryRead(out var messages))
        {
            FanOut(messages);
        }
    }

    internal void Remove(LiveSubscriber subscriber)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_subscribers, subscriber);
            if (index >= 0)
            {
                Volatile.Write(ref _subscribers, [.. _subscribers.AsSpan(0, index), .. _subscribers.AsSpan(index + 1)]);
                if (_subscribers.Length == 0)
                {
                    KeepReplaying();
                }
            }
            else if (Array.IndexOf(_closing, subscriber) is var closing and >= 0)
            {
                _closing = [.. _closing.AsSpan(0, closing), .. _closing.AsSpan(closing + 1)];
            }
            else
            {
                return;
            }
        }

        subscriber.Complete();
        subscriber.Release();
    }

    /// <summary>Called by the subscribers, under their own locks, as their queues grow and shrink.</summary>
    internal void AddQueuedBytes(long delta) => Interlocked.Add(ref _queuedBytes, delta);

    private void FanOut(LiveMessage[] messages)
    {
        // Serialized here, once, off the writer's thread and outside the lock; no queue has seen these messages yet.
        foreach (var message in messages)
        {
            message.Serialize(_serializer);
        }

        // The ring and the list of subscribers change together: a subscriber that joins after this chunk entered the
        // ring replays it, one that joined before receives it below, and its DeliveredThrough keeps it from both.
        LiveSubscriber[] subscribers;
        lock (_lock)
        {
            foreach (var message in messages)
            {
                if (message.Replayable)
                {
                    AddToRing(message);
                }
            }

            subscribers = _subscribers;
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Offer(messages);
            TrimToTotal();
        }

        Interlocked.Exchange(ref _fannedOutThrough, messages[^1].Id);
    }

    /// <summary>
    /// Holds all queues together under <see cref="LiveFeedLimits.TotalBytes"/>: the largest queue gives up its oldest
    /// messages first, since it belongs to the reader furthest behind, and a reader that keeps up loses nothing.
    /// </summary>
    private void TrimToTotal()
    {
        while (QueuedBytes > _limits.TotalBytes)
        {
            LiveSubscriber? largest = null;
            long second = 0;
            lock (_lock)
            {
                foreach (var subscriber in _subscribers.Concat(_closing))
                {
                    var bytes = subscriber.QueuedBytes;
                    if (largest is null || bytes > largest.QueuedBytes)
                    {
                        second = largest?.QueuedBytes ?? 0;
                        largest = subscriber;
                    }
                    else
                    {
                        second = Math.Max(second, bytes);
                    }
                }
            }

            // Down to the next largest at most, so that several readers far behind share the loss.
            var excess = QueuedBytes - _limits.TotalBytes;
            if (largest is null || largest.DropOldest(Math.Max(1, Math.Min(excess, largest.QueuedBytes - second))) == 0)
            {
                return; // the excess left between the checks: the readers took it
            }
        }
    }

    private void KeepReplaying() =>
        Volatile.Write(ref _activeUntil, _timeProvider.GetTimestamp() + (long)(ReplayWindow.TotalSeconds * _timeProvider.TimestampFrequency));

    /// <summary>Keeps <paramref name="message"/> for reconnects, under the lock, letting the oldest go past either bound.</summary>
    private void AddToRing(LiveMessage message)
    {
        if (message.Size > _limits.ReplayBytes)
        {
            return; // a reconnect would have to drop it at once
        }

        while (_ringCount == _ring.Length || _ringBytes + message.Size > _limits.ReplayBytes)
        {
            var oldest = (_ringNext - _ringCount + _ring.Length) % _ring.Length;
            Interlocked.Add(ref _ringBytes, -_ring[oldest]!.Size);
            _ring[oldest] = null;
            _ringCount--;
        }

        _ring[_ringNext] = message;
        _ringNext = (_ringNext + 1) % _ring.Length;
        _ringCount++;
        Interlocked.Add(ref _ringBytes, message.Size);
    }

    private void ClearRing()
    {
        Array.Clear(_ring);
        _ringCount = 0;
        Interlocked.Exchange(ref _ringBytes, 0);
    }
}
