using System.Text.Json;
using Analytics.Live;
using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The JSON of the live stream's events; each message is serialized once, whatever the number of connections.</summary>
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

    public static string Serialize(LiveMessage message) => message.Payload switch
    {
        _ when message.Kind == LiveMessageKind.Request => JsonSerializer.Serialize(
            RequestLogEntry.From(0, message.Request), AnalyticsJsonContext.Default.RequestLogEntry),
        EventRecord e => JsonSerializer.Serialize(LiveEvent.From(e), AnalyticsJsonContext.Default.LiveEvent),
        AnalyticsOverview stats => JsonSerializer.Serialize(stats, AnalyticsJsonContext.Default.AnalyticsOverview),
        AlertTransition alert => System.Text.Encoding.UTF8.GetString(Alerts.AlertPayloads.Data(alert)),
        LivePing ping => JsonSerializer.Serialize(new LivePingPayload(ping.Time, null), AnalyticsJsonContext.Default.LivePingPayload),
        _ => "{}",
    };
}
