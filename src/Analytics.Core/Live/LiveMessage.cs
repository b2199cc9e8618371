namespace Analytics.Live;

/// <summary>
/// One message of the live feed, shared by every subscriber and the replay ring. The writer creates it with the payload
/// as it produced it; the fan-out loop turns it into JSON once (<see cref="Serialize"/>) before any queue holds it, and
/// then lets the payload go: a queued message costs its serialized bytes, which are what the stream's byte bounds count.
/// </summary>
internal sealed class LiveMessage
{
    private RequestRecord _request;
    private object? _payload;
    private byte[]? _json;

    private LiveMessage(long id, LiveMessageKind kind, bool replayable, in RequestRecord request, object? payload)
    {
        Id = id;
        Kind = kind;
        Replayable = replayable;
        _request = request;
        _payload = payload;
    }

    /// <summary>Gets the message id: increasing across the feed, and across restarts of the process.</summary>
    public long Id { get; }

    public LiveMessageKind Kind { get; }

    /// <summary>Gets whether the replay ring keeps this message for reconnects.</summary>
    public bool Replayable { get; }

    /// <summary>Gets the request of a <see cref="LiveMessageKind.Request"/> message, until it is serialized.</summary>
    public RequestRecord Request => _request;

    /// <summary>
    /// Gets the payload of any other kind (an <see cref="Storage.EventRecord"/>, an <see cref="AnalyticsOverview"/> and so
    /// on), until it is serialized.
    /// </summary>
    public object? Payload => _payload;

    /// <summary>Gets the UTF-8 JSON of the payload; empty until <see cref="Serialize"/> was called.</summary>
    public ReadOnlyMemory<byte> Json => _json;

    /// <summary>Gets the size the stream's byte bounds count: the length of <see cref="Json"/>.</summary>
    public int Size => _json?.Length ?? 0;

    public static LiveMessage ForRequest(long id, in RequestRecord request) => new(id, LiveMessageKind.Request, replayable: true, request, null);

    public static LiveMessage ForPayload(long id, LiveMessageKind kind, object? payload, bool replayable = false) =>
        new(id, kind, replayable, default, payload);

    /// <summary>
    /// Serializes the payload the first time only, then drops it. Called by the feed's fan-out loop alone, before the
    /// message reaches any queue, so that no reader ever sees it half done.
    /// </summary>
    internal void Serialize(ILiveMessageSerializer serializer)
    {
        if (_json is not null)
        {
            return;
        }

        _json = serializer.Serialize(this);
        _payload = null;
        _request = default;
    }
}
