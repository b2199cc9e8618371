using System.Text.Json;
using System.Text.Json.Serialization;
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
        _ when message.Kind == LiveMessageKind.Request => JsonSerializer.Serialize(RequestLogEntry.From(0, message.Request), AnalyticsJsonContext.Default.RequestLogEntry),
        EventRecord e => JsonSerializer.Serialize(LiveEvent.From(e), AnalyticsJsonContext.Default.LiveEvent),
        AnalyticsOverview stats => JsonSerializer.Serialize(stats, AnalyticsJsonContext.Default.AnalyticsOverview),
        AlertTransition alert => System.Text.Encoding.UTF8.GetString(Alerts.AlertPayloads.Data(alert)),
        LivePing ping => JsonSerializer.Serialize(new LivePingPayload(ping.Time, null), AnalyticsJsonContext.Default.LivePingPayload),
        _ => "{}",
    };
}

/// <summary>The <c>connected</c> event.</summary>
internal sealed record LiveConnected(string ConnectionId);

/// <summary>A <c>ping</c> event; <c>reason</c> is set on the last one of a stream the server ends.</summary>
internal sealed record LivePingPayload(
    DateTimeOffset Time,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

/// <summary>The answer to <c>GET {prefix}/api/stream</c> with <c>Accept: application/json</c>.</summary>
internal sealed record LiveSnapshot(long LastEventId, int Subscribers, AnalyticsOverview Stats);

/// <summary>The answer to <c>DELETE {prefix}/api/stream</c>.</summary>
internal sealed record StreamsClosed(int Closed);

/// <summary>An <c>event</c> event: a custom event as tracked, its properties as they were posted.</summary>
internal sealed record LiveEvent
{
    public required DateTimeOffset Time { get; init; }

    public required string Name { get; init; }

    public string? UserId { get; init; }

    public double? Duration { get; init; }

    public bool? Success { get; init; }

    [JsonConverter(typeof(RawJsonConverter))]
    public string? Properties { get; init; }

    public string? Environment { get; init; }

    public string? Instance { get; init; }

    public static LiveEvent From(EventRecord e) => new()
    {
        Time = e.Timestamp,
        Name = e.Name,
        UserId = e.UserId,
        Duration = e.Duration?.TotalMilliseconds,
        Success = e.Success,
        Properties = e.PropertiesJson,
        Environment = e.Environment,
        Instance = e.Instance,
    };
}

/// <summary>Writes a string that already holds JSON (an event's stored properties) as that JSON, not as a string.</summary>
internal sealed class RawJsonConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value, skipInputValidation: false);
}
