using System.Text.Json;
using Analytics.Live;
using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// The JSON of the live stream's messages, as UTF-8 bytes on one line. The feed calls it once per message and every
/// connection writes the same bytes, so the cost does not grow with the number of connections.
/// </summary>
internal sealed class LiveMessageSerializer : ILiveMessageSerializer
{
    public byte[] Serialize(LiveMessage message)
    {
        var json = message.Payload switch
        {
            _ when message.Kind == LiveMessageKind.Request => JsonSerializer.SerializeToUtf8Bytes(
                RequestLogEntry.From(0, message.Request), AnalyticsJsonContext.Default.RequestLogEntry),
            EventRecord e => JsonSerializer.SerializeToUtf8Bytes(LiveEvent.From(e), AnalyticsJsonContext.Default.LiveEvent),
            AnalyticsOverview stats => JsonSerializer.SerializeToUtf8Bytes(stats, AnalyticsJsonContext.Default.AnalyticsOverview),
            AlertTransition alert => Alerts.AlertPayloads.Data(alert),
            LivePing ping => JsonSerializer.SerializeToUtf8Bytes(new LivePingPayload(ping.Time, null), AnalyticsJsonContext.Default.LivePingPayload),
            _ => "{}"u8.ToArray(),
        };

        // An event's properties are written as they were stored, and may hold line breaks between tokens, which would end
        // the SSE data line. In valid JSON a raw CR or LF can only be such whitespace (inside strings they are escaped),
        // so a space in their place keeps the JSON the same.
        var rest = json.AsSpan();
        for (var at = rest.IndexOfAny((byte)'\r', (byte)'\n'); at >= 0; at = rest.IndexOfAny((byte)'\r', (byte)'\n'))
        {
            rest[at] = (byte)' ';
            rest = rest[(at + 1)..];
        }

        return json;
    }
}
