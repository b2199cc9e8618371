namespace Analytics.Live;

/// <summary>
/// One message of the live feed, shared by every subscriber: the payload is kept as the writer produced it and turned
/// into JSON once, by the first connection that sends it.
/// </summary>
internal sealed class LiveMessage
{
    private string? _json;

    private LiveMessage(long id, LiveMessageKind kind, in RequestRecord request, object? payload)
    {
        Id = id;
        Kind = kind;
        Request = request;
        Payload = payload;
    }

    /// <summary>Gets the message id: increasing across the feed, and across restarts of the process.</summary>
    public long Id { get; }

    public LiveMessageKind Kind { get; }

    /// <summary>Gets the request of a <see cref="LiveMessageKind.Request"/> message.</summary>
    public RequestRecord Request { get; }

    /// <summary>Gets the payload of any other kind: an <see cref="Storage.EventRecord"/>, an <see cref="AnalyticsOverview"/> and so on.</summary>
    public object? Payload { get; }

    public static LiveMessage ForRequest(long id, in RequestRecord request) => new(id, LiveMessageKind.Request, request, null);

    public static LiveMessage ForPayload(long id, LiveMessageKind kind, object? payload) => new(id, kind, default, payload);

    /// <summary>Gets the payload as JSON, serializing it with <paramref name="serialize"/> the first time only.</summary>
    public string GetJson(Func<LiveMessage, string> serialize)
    {
        var json = Volatile.Read(ref _json);
        if (json is null)
        {
            // Two connections may race to serialize; both produce the same text and either may win.
            json = serialize(this);
            Volatile.Write(ref _json, json);
        }

        return json;
    }
}
