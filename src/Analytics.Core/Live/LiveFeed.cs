using System.Threading.Channels;
using Analytics.Storage;
using Microsoft.Extensions.Options;

namespace Analytics.Live;

/// <summary>
/// The fan-out behind the live stream. The writer publishes each committed batch here; the feed numbers the messages,
/// keeps the latest in a ring for reconnects, and a separate loop (<see cref="RunAsync"/>) copies them into every
/// subscriber's bounded queue, one chunk at a time. The writer's cost is therefore one small object per record and one queue write per batch,
/// whatever the number of subscribers and however slow they read.
/// </summary>
internal sealed class LiveFeed
{
    // A reconnect must find what it missed, so the ring keeps filling for a while after the last subscriber left.
    private static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    private readonly object _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly int _maxSubscribers;
    private readonly int _subscriberCapacity;
    private readonly int _requestsPerSecond;
    private readonly LiveMessage[] _ring;
    private readonly Channel<LiveMessage[]> _fanOut;
    private int _ringNext;
    private int _ringCount;
    private long _lastId;
    private long _activeUntil;
    private LiveSubscriber[] _subscribers = [];

    public LiveFeed(IOptions<RequestAnalyticsOptions> options, TimeProvider timeProvider)
        : this(
            options.Value.MaxStreamSubscribers,
            RequestAnalyticsDefaults.StreamReplayCapacity,
            RequestAnalyticsDefaults.StreamSubscriberCapacity,
            RequestAnalyticsDefaults.StreamRequestsPerSecond,
            timeProvider)
    {
    }

    internal LiveFeed(int maxSubscribers, int replayCapacity, int subscriberCapacity, int requestsPerSecond, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _maxSubscribers = maxSubscribers;
        _subscriberCapacity = subscriberCapacity;
        _requestsPerSecond = requestsPerSecond;
        _ring = new LiveMessage[replayCapacity];

        // Ids start at the start time in microseconds, so they keep increasing across restarts of the process and a
        // client's Last-Event-ID from an earlier run never hides new events.
        _lastId = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() * 1_000;

        // The fan-out loop never blocks, so this queue stays near empty; the bound only guards memory against a loop
        // that is not running at all.
        _fanOut = Channel.CreateBounded<LiveMessage[]>(
            new BoundedChannelOptions(1_024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    }

    /// <summary>Gets the number of open connections.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Gets the id of the latest message.</summary>
    public long LastId => Interlocked.Read(ref _lastId);

    /// <summary>Gets whether anyone listens, or listened recently enough to reconnect: the writer publishes only then.</summary>
    public bool IsActive => SubscriberCount > 0 || _timeProvider.GetTimestamp() < Volatile.Read(ref _activeUntil);

    /// <summary>
    /// Opens a subscription, queueing first what the ring holds after <paramref name="lastEventId"/>.
    /// Returns <see langword="null"/> when <see cref="RequestAnalyticsOptions.MaxStreamSubscribers"/> are already open.
    /// </summary>
    public LiveSubscriber? TrySubscribe(long? lastEventId)
    {
        lock (_lock)
        {
            if (_subscribers.Length >= _maxSubscribers)
            {
                return null;
            }

            if (!IsActive)
            {
                _ringCount = 0; // what it holds is older than the gap in which nothing was kept
            }

            // Without a known last id, the client starts now. With one, it gets what the ring still holds after it.
            var connectedId = lastEventId is { } last && last <= _lastId ? last : _lastId;
            var subscriber = new LiveSubscriber(
                this,
                Guid.NewGuid().ToString("N"),
                connectedId,
                _subscriberCapacity,
                _requestsPerSecond,
                _timeProvider);
            for (var i = 0; i < _ringCount; i++)
            {
                var message = _ring[(_ringNext - _ringCount + i + _ring.Length) % _ring.Length];
                if (message.Id > connectedId)
                {
                    subscriber.Replay(message);
                }
            }

            Volatile.Write(ref _subscribers, [.. _subscribers, subscriber]);
            return subscriber;
        }
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
                AddToRing(messages[i]);
            }

            for (var i = 0; i < events.Count; i++)
            {
                var message = LiveMessage.ForPayload(++_lastId, LiveMessageKind.Event, events[i]);
                messages[requests.Count + i] = message;
                AddToRing(message);
            }

            _fanOut.Writer.TryWrite(messages); // under the lock, so chunks reach the loop in id order
        }
    }

    /// <summary>Sends one message to every subscriber; <paramref name="replayable"/> ones are also kept for reconnects.</summary>
    public void Broadcast(LiveMessageKind kind, object? payload, bool replayable = false)
    {
        lock (_lock)
        {
            var message = LiveMessage.ForPayload(++_lastId, kind, payload);
            if (replayable)
            {
                AddToRing(message);
            }

            _fanOut.Writer.TryWrite([message]);
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

    /// <summary>Ends every open connection: each sends what it has queued and closes. Returns how many there were.</summary>
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
            KeepReplaying();
            return subscribers.Length;
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
            if (index < 0)
            {
                return;
            }

            subscriber.Complete();
            Volatile.Write(ref _subscribers, [.. _subscribers.AsSpan(0, index), .. _subscribers.AsSpan(index + 1)]);
            if (_subscribers.Length == 0)
            {
                KeepReplaying();
            }
        }
    }

    private void FanOut(LiveMessage[] messages)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        foreach (var subscriber in subscribers)
        {
            subscriber.Offer(messages);
        }
    }

    private void KeepReplaying() =>
        Volatile.Write(ref _activeUntil, _timeProvider.GetTimestamp() + (long)(ReplayWindow.TotalSeconds * _timeProvider.TimestampFrequency));

    private void AddToRing(LiveMessage message)
    {
        _ring[_ringNext] = message;
        _ringNext = (_ringNext + 1) % _ring.Length;
        _ringCount = Math.Min(_ringCount + 1, _ring.Length);
    }
}
