using System.Threading.Channels;

namespace Analytics.Live;

/// <summary>
/// One live-stream connection's queue. It is bounded and drops its oldest message when the connection does not keep up,
/// so a stalled reader costs a fixed amount of memory and never slows the feed. Request messages also pass a
/// per-second cap. Every message lost either way is counted and reported with the next message sent.
/// </summary>
internal sealed class LiveSubscriber : IDisposable
{
    private readonly LiveFeed _feed;
    private readonly Channel<LiveMessage> _channel;
    private readonly TimeProvider _timeProvider;
    private readonly int _requestsPerSecond;
    private long _dropped;

    // The request cap is a token bucket refilled continuously, holding at most one second's worth. Only the fan-out
    // loop touches it.
    private double _tokens;
    private long _refilledAt;

    internal LiveSubscriber(LiveFeed feed, string connectionId, long connectedId, int capacity, int requestsPerSecond, TimeProvider timeProvider)
    {
        _feed = feed;
        _timeProvider = timeProvider;
        _requestsPerSecond = requestsPerSecond;
        _tokens = requestsPerSecond;
        _refilledAt = timeProvider.GetTimestamp();
        ConnectionId = connectionId;
        ConnectedId = connectedId;
        DeliveredThrough = connectedId;
        _channel = Channel.CreateBounded<LiveMessage>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Gets the id sent in this connection's <c>connected</c> event.</summary>
    public string ConnectionId { get; }

    /// <summary>Gets the id of the <c>connected</c> event: the client's last event id, or the feed's latest id.</summary>
    public long ConnectedId { get; }

    /// <summary>Gets the messages to send, in id order. The reader completes when the feed closes the connection.</summary>
    public ChannelReader<LiveMessage> Reader => _channel.Reader;

    /// <summary>Gets the highest id queued so far; the fan-out skips what a replay already queued.</summary>
    internal long DeliveredThrough { get; private set; }

    /// <summary>Returns how many messages were lost since the last call, and starts counting again from zero.</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

    /// <summary>Stops listening: the feed forgets this subscriber.</summary>
    public void Dispose() => _feed.Remove(this);

    /// <summary>Queues a replayed message; called under the feed's lock while subscribing.</summary>
    internal void Replay(LiveMessage message)
    {
        _channel.Writer.TryWrite(message);
        DeliveredThrough = message.Id;
    }

    /// <summary>Queues a live message unless a replay already did, or the request cap refuses it. Called by the fan-out loop only.</summary>
    internal void Offer(LiveMessage message)
    {
        if (message.Id <= DeliveredThrough)
        {
            return;
        }

        DeliveredThrough = message.Id;
        if (message.Kind == LiveMessageKind.Request && !TryTakeRequestToken())
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        _channel.Writer.TryWrite(message); // DropOldest: always succeeds, counting what it pushes out
    }

    internal void Complete() => _channel.Writer.TryComplete();

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
