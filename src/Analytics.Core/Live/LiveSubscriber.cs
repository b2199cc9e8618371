namespace Analytics.Live;

/// <summary>
/// One live-stream connection's queue. It is bounded in messages and in bytes (each message's serialized JSON) and
/// drops its oldest messages when the connection does not keep up, so a stalled reader costs a fixed amount of memory
/// and never slows the feed. Request messages also pass a per-second cap, replayed ones included. Every message lost
/// either way is counted and reported with the next message sent.
/// </summary>
/// <remarks>
/// A ring under a lock rather than a channel: the fan-out appends a whole batch with one lock and one wake-up, where a
/// channel would take its lock for each message, and a batch of 2 000 to 100 subscribers would mean 200 000 of those.
/// </remarks>
internal sealed class LiveSubscriber : IDisposable
{
    private readonly LiveFeed _feed;
    private readonly TimeProvider _timeProvider;
    private readonly int _requestsPerSecond;
    private readonly long _maxBytes;
    private readonly object _gate = new();
    private readonly LiveMessage?[] _buffer;
    private int _head;
    private int _count;
    private long _bytes;
    private bool _completed;
    private TaskCompletionSource? _waiter;
    private long _dropped;

    // The request cap is a token bucket refilled continuously, holding at most one second's worth.
    private double _tokens;
    private long _refilledAt;

    internal LiveSubscriber(LiveFeed feed, string connectionId, long connectedId, LiveFeedLimits limits, TimeProvider timeProvider)
    {
        _feed = feed;
        _timeProvider = timeProvider;
        _requestsPerSecond = limits.RequestsPerSecond;
        _maxBytes = limits.SubscriberBytes;
        _tokens = _requestsPerSecond;
        _refilledAt = timeProvider.GetTimestamp();
        _buffer = new LiveMessage?[limits.SubscriberCapacity];
        ConnectionId = connectionId;
        ConnectedId = connectedId;
        DeliveredThrough = connectedId;
    }

    /// <summary>Gets the id sent in this connection's <c>connected</c> event.</summary>
    public string ConnectionId { get; }

    /// <summary>Gets the id of the <c>connected</c> event: the client's last event id, or the feed's latest id.</summary>
    public long ConnectedId { get; }

    /// <summary>Gets the bytes of the messages queued and not yet taken by the connection.</summary>
    public long QueuedBytes => Volatile.Read(ref _bytes);

    /// <summary>Gets the highest id queued so far; the fan-out skips what a replay already queued.</summary>
    internal long DeliveredThrough { get; private set; }

    /// <summary>Returns how many messages were lost since the last call, and starts counting again from zero.</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

    /// <summary>Takes the oldest queued message, in id order.</summary>
    public bool TryRead(out LiveMessage message)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                message = null!;
                return false;
            }

            message = RemoveOldest();
            return true;
        }
    }

    /// <summary>
    /// Waits until a message is queued (<see langword="true"/>) or the feed closed this connection and it is drained
    /// (<see langword="false"/>).
    /// </summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_count > 0)
                {
                    return true;
                }

                if (_completed)
                {
                    return false;
                }

                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops listening: the feed forgets this subscriber, and what it still queued is let go.</summary>
    public void Dispose() => _feed.Remove(this);

    /// <summary>
    /// Queues what a reconnect missed; called under the feed's lock while subscribing, before the fan-out sees this
    /// subscriber. The replay passes the same bounds as live messages, and where the request cap cannot take every
    /// missed request it keeps the latest, as the byte bound does: a client coming back wants the present first.
    /// </summary>
    internal void Replay(List<LiveMessage> missed)
    {
        lock (_gate)
        {
            var requests = missed.Count(m => m.Kind == LiveMessageKind.Request);
            var skip = Math.Max(0, requests - (int)Math.Floor(RefillTokens()));
            foreach (var message in missed)
            {
                DeliveredThrough = message.Id;
                if (message.Kind == LiveMessageKind.Request && (--skip >= 0 || !TryTakeRequestToken()))
                {
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                Append(message);
            }
        }
    }

    /// <summary>
    /// Queues live messages, skipping what a replay already queued and requests over the cap. Called by the fan-out
    /// loop only, once per published chunk.
    /// </summary>
    internal void Offer(LiveMessage[] messages)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            foreach (var message in messages)
            {
                if (message.Id <= DeliveredThrough)
                {
                    continue;
                }

                DeliveredThrough = message.Id;
                if (message.Kind == LiveMessageKind.Request && !TryTakeRequestToken())
                {
                    Interlocked.Increment(ref _dropped); // the connection takes the count without the gate
                    continue;
                }

                Append(message);
            }

            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>Drops the oldest queued messages until at least <paramref name="bytes"/> are freed; returns how many were.</summary>
    internal long DropOldest(long bytes)
    {
        lock (_gate)
        {
            long freed = 0;
            while (_count > 0 && freed < bytes)
            {
                freed += RemoveOldest().Size;
                Interlocked.Increment(ref _dropped);
            }

            return freed;
        }
    }

    internal void Complete()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _completed = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>Lets go of every queued message: the connection has ended and will never send them.</summary>
    internal void Release()
    {
        lock (_gate)
        {
            while (_count > 0)
            {
                RemoveOldest();
            }
        }
    }

    /// <summary>
    /// Appends under the gate. A message larger than the whole byte bound is dropped; otherwise the oldest messages give
    /// way until both bounds hold. Either way the loss is counted.
    /// </summary>
    private void Append(LiveMessage message)
    {
        if (message.Size > _maxBytes)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        while (_count == _buffer.Length || _bytes + message.Size > _maxBytes)
        {
            RemoveOldest();
            Interlocked.Increment(ref _dropped);
        }

        _buffer[(_head + _count) % _buffer.Length] = message;
        _count++;
        Volatile.Write(ref _bytes, _bytes + message.Size);
        _feed.AddQueuedBytes(message.Size);
    }

    /// <summary>Takes the oldest message out of the ring, under the gate, and out of the byte counts.</summary>
    private LiveMessage RemoveOldest()
    {
        var message = _buffer[_head]!;
        _buffer[_head] = null;
        _head = (_head + 1) % _buffer.Length;
        _count--;
        Volatile.Write(ref _bytes, _bytes - message.Size);
        _feed.AddQueuedBytes(-message.Size);
        return message;
    }

    private double RefillTokens()
    {
        var now = _timeProvider.GetTimestamp();
        var elapsed = _timeProvider.GetElapsedTime(_refilledAt, now).TotalSeconds;
        _refilledAt = now;
        _tokens = Math.Min(_requestsPerSecond, _tokens + (elapsed * _requestsPerSecond));
        return _tokens;
    }

    private bool TryTakeRequestToken()
    {
        if (RefillTokens() < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }
}
