namespace Analytics.Live;

/// <summary>The kinds of message the live stream sends; their wire names are the SSE event types.</summary>
internal enum LiveMessageKind
{
    Request,
    Event,
    Stats,
    Alert,
    Ping,
}
