using System.Text.Json.Serialization;

namespace Analytics;

/// <summary>
/// What kind of request a <see cref="RequestRecord"/> describes. The values are stored: new kinds are appended, never
/// renumbered. <see cref="WebSocket"/> and <see cref="ServerSentEvents"/> are long-lived (connections rather than
/// requests): they are counted with the rest but kept out of latency percentiles and averages unless a query selects
/// their kind.
/// </summary>
// The names the HTTP API sends, on the type for the reason given on Granularity.
[JsonConverter(typeof(JsonStringEnumConverter<RequestKind>))]
public enum RequestKind
{
    /// <summary>A plain HTTP request.</summary>
    [JsonStringEnumMemberName("http")]
    Http = 0,

    /// <summary>A WebSocket upgrade; its duration is the connection's lifetime.</summary>
    [JsonStringEnumMemberName("webSocket")]
    WebSocket = 1,

    /// <summary>A gRPC call (<c>application/grpc</c>).</summary>
    [JsonStringEnumMemberName("grpc")]
    Grpc = 2,

    /// <summary>
    /// A Server-Sent Events response (<c>Content-Type: text/event-stream</c>, as the response ended); its duration is the
    /// stream's lifetime.
    /// </summary>
    [JsonStringEnumMemberName("serverSentEvents")]
    ServerSentEvents = 3,
}
