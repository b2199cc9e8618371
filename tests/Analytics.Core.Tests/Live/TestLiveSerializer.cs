using System.Text.Json;
using Analytics.Live;
using Analytics.Storage;

namespace Analytics.Tests.Live;

/// <summary>
/// Stands in for the web package's JSON: a request as <c>{"path":…}</c>, an event as <c>{"name":…,"properties":…}</c>
/// (so that a test sets a message's size through its properties), anything else as <c>{"kind":…}</c>.
/// </summary>
internal sealed class TestLiveSerializer : ILiveMessageSerializer
{
    public byte[] Serialize(LiveMessage message) => message.Payload switch
    {
        _ when message.Kind == LiveMessageKind.Request => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["path"] = message.Request.Path }),
        EventRecord e => System.Text.Encoding.UTF8.GetBytes(
            $"{{\"name\":{JsonSerializer.Serialize(e.Name)},\"properties\":{e.PropertiesJson ?? "null"}}}"),
        _ => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["kind"] = message.Kind.ToString() }),
    };

    /// <summary>Reads back a request message's path, or an event's name.</summary>
    public static string Text(LiveMessage message)
    {
        var json = JsonDocument.Parse(message.Json).RootElement;
        return (json.TryGetProperty("path", out var path) ? path : json.GetProperty("name")).GetString()!;
    }
}
