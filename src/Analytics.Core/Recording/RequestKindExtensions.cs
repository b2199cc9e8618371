namespace Analytics;

/// <summary>Which request kinds are long-lived.</summary>
internal static class RequestKindExtensions
{
    /// <summary>
    /// Gets whether requests of this kind are connections that stay open as long as the client wants (WebSockets,
    /// Server-Sent Events), so that their durations say nothing about how fast the app answers.
    /// </summary>
    public static bool IsLongLived(this RequestKind kind) => kind is RequestKind.WebSocket or RequestKind.ServerSentEvents;
}
