using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Live;

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
        _ when message.Kind == LiveMessageKind.Request => JsonSerializer.Serialize(LiveRequest.From(message.Request), AnalyticsJsonContext.Default.LiveRequest),
        EventRecord e => JsonSerializer.Serialize(LiveEvent.From(e), AnalyticsJsonContext.Default.LiveEvent),
        AnalyticsOverview stats => JsonSerializer.Serialize(stats, AnalyticsJsonContext.Default.AnalyticsOverview),
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

/// <summary>A <c>request</c> event: the request log's entry, without the id the store assigns.</summary>
internal sealed record LiveRequest
{
    public required DateTimeOffset Time { get; init; }

    public required string Method { get; init; }

    public required string Route { get; init; }

    public required string Path { get; init; }

    public required int StatusCode { get; init; }

    public required double Duration { get; init; }

    public long RequestBytes { get; init; }

    public long ResponseBytes { get; init; }

    public string? ClientIp { get; init; }

    public string? UserAgent { get; init; }

    public string? Protocol { get; init; }

    public RequestKind Kind { get; init; }

    public string? TraceId { get; init; }

    public string? UserId { get; init; }

    public string? Environment { get; init; }

    public string? Instance { get; init; }

    public string? ExceptionType { get; init; }

    public string? ExceptionMessage { get; init; }

    public static LiveRequest From(in RequestRecord r) => new()
    {
        Time = r.Timestamp,
        Method = r.Method,
        Route = r.Route,
        Path = r.Path,
        StatusCode = r.StatusCode,
        Duration = r.Duration.TotalMilliseconds,
        RequestBytes = r.RequestBytes,
        ResponseBytes = r.ResponseBytes,
        ClientIp = r.ClientIp,
        UserAgent = r.UserAgent,
        Protocol = r.Protocol,
        Kind = r.Kind,
        TraceId = r.TraceId,
        UserId = r.UserId,
        Environment = r.Environment,
        Instance = r.Instance,
        ExceptionType = r.ExceptionType,
        ExceptionMessage = r.ExceptionMessage,
    };
}

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
