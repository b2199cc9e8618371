namespace Analytics.Live;

/// <summary>
/// One live-stream connection's queue. It is bounded and drops its oldest message when the connection does not keep up,
/// so a stalled reader costs a fixed amount of memory and never slows the feed. Request messages also pass a
/// per-second cap. Every message lost either way is counted and reported with the next message sent.
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
    private readonly object _gate = new();
    private readonly LiveMessage?[] _buffer;
    private int _head;
    private int _count;
    private bool _completed;
    private TaskCompletionSource? _waiter;
    private long _dropped;

    // The request cap is a token bucket refilled continuously, holding at most one second's worth.
    private double _tokens;
    private long _refilledAt;

    internal LiveSubscriber(LiveFeed feed, string connectionId, long connectedId, int capacity, int requestsPerSecond, TimeProvider timeProvider)
    {
        _feed = feed;
        _timeProvider = timeProvider;
        _requestsPerSecond = requestsPerSecond;
        _tokens = requestsPerSecond;
        _refilledAt = timeProvider.GetTimestamp();
        _buffer = new LiveMessage?[capacity];
        ConnectionId = connectionId;
        ConnectedId = connectedId;
        DeliveredThrough = connectedId;
    }

    /// <summary>Gets the id sent in this connection's <c>connected</c> event.</summary>
    public string ConnectionId { get; }

    /// <summary>Gets the id of the <c>connected</c> event: the client's last event id, or the feed's latest id.</summary>
    public long ConnectedId { get; }

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

            message = _buffer[_head]!;
            _buffer[_head] = null;
            _head = (_head + 1) % _buffer.Length;
            _count--;
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

    /// <summary>Stops listening: the feed forgets this subscriber.</summary>
    public void Dispose() => _feed.Remove(this);

    /// <summary>Queues replayed messages; called under the feed's lock while subscribing, before the fan-out sees this subscriber.</summary>
    internal void Replay(LiveMessage message)
    {
        lock (_gate)
        {
            Append(message);
            DeliveredThrough = message.Id;
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

    /// <summary>Appends under the gate; a full ring gives up its oldest message and counts it.</summary>
    private void Append(LiveMessage message)
    {
        if (_count == _buffer.Length)
        {
            _buffer[_head] = null;
            _head = (_head + 1) % _buffer.Length;
            _count--;
            Interlocked.Increment(ref _dropped);
        }

        _buffer[(_head + _count) % _buffer.Length] = message;
        _count++;
    }

    private bool TryTakeRequestToken()
    {
        var now = _timeProvider.GetTimestamp();
        var elapsed = _timeProvider.GetElapsedTime(_refilledAt, now).TotalSeconds;
        _refilledAt = now;
        _tokens = Math.Min(_requestsPerSecond, _tokens + (elapsed * _requestsPerSecond));
        if (_tokens < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }
}
