using Analytics.Live;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The wire names of the live stream's events; their JSON is <see cref="LiveMessageSerializer"/>'s.</summary>
internal static class LiveJson
{
    public static string ToWireName(this LiveMessageKind kind) => kind switch
    {
        LiveMessageKind.Request => "request",
        LiveMessageKind.Event => "event",
        LiveMessageKind.Stats => "stats",
        LiveMessageKind.Alert => "alert",
        _ => "ping",
    };
}
