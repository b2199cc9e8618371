using System.Buffers;
using System.Text.Json;

namespace Analytics.Webhooks;

/// <summary>
/// A Microsoft Teams workflow-webhook body ("Post to a channel when a webhook request is received"):
/// <c>{ "type": "message", "attachments": [ Adaptive Card 1.4 ] }</c>, with the headline, the summary, the facts, and an
/// <c>Action.OpenUrl</c> to the dashboard. OpenUrl takes absolute URLs only, so with a relative link the action is left
/// out and the path is shown as a fact.
/// </summary>
internal static class TeamsMessage
{
    public const string CardContentType = "application/vnd.microsoft.card.adaptive";
    public const string CardSchema = "http://adaptivecards.io/schemas/adaptive-card.json";

    // Teams takes a card of up to about 28 KB; texts cut here keep a message well within it and readable in a channel.
    internal const int MaxText = 2_000;
    internal const int MaxFact = 500;

    public static byte[] Write(ChatMessage m)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, ChatText.Writer))
        {
            w.WriteStartObject();
            w.WriteString("type", "message");
            w.WriteStartArray("attachments");
            w.WriteStartObject();
            w.WriteString("contentType", CardContentType);
            w.WriteStartObject("content");
            w.WriteString("$schema", CardSchema);
            w.WriteString("type", "AdaptiveCard");
            w.WriteString("version", "1.4");
            w.WriteStartArray("body");

            TextBlock(w, $"{ChatText.Emoji(m.Tone)} {ChatText.Teams(m.Title)}", bolder: true, color: Color(m.Tone));
            TextBlock(w, ChatText.Truncate(ChatText.Teams(m.Summary), MaxText));
            var facts = m.Link is { } relative && !m.LinkIsAbsolute ? [.. m.Facts, KeyValuePair.Create("Dashboard", relative)] : m.Facts;
            if (facts.Count > 0)
            {
                w.WriteStartObject();
                w.WriteString("type", "FactSet");
                w.WriteStartArray("facts");
                foreach (var (name, value) in facts)
                {
                    w.WriteStartObject();
                    w.WriteString("title", ChatText.Teams(name));
                    w.WriteString("value", ChatText.Truncate(ChatText.Teams(value), MaxFact));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            TextBlock(w, $"Analytics · {ChatText.Time(m.Time)}", subtle: true);
            w.WriteEndArray();

            w.WriteStartArray("actions");
            if (m.Link is { } link && m.LinkIsAbsolute)
            {
                w.WriteStartObject();
                w.WriteString("type", "Action.OpenUrl");
                w.WriteString("title", "Open in dashboard");
                w.WriteString("url", link);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void TextBlock(Utf8JsonWriter w, string text, bool bolder = false, string? color = null, bool subtle = false)
    {
        w.WriteStartObject();
        w.WriteString("type", "TextBlock");
        w.WriteString("text", text);
        w.WriteBoolean("wrap", true);
        if (bolder)
        {
            w.WriteString("size", "Medium");
            w.WriteString("weight", "Bolder");
        }

        if (color is not null)
        {
            w.WriteString("color", color);
        }

        if (subtle)
        {
            w.WriteBoolean("isSubtle", true);
            w.WriteString("size", "Small");
        }

        w.WriteEndObject();
    }

    private static string Color(ChatTone tone) => tone switch
    {
        ChatTone.Triggered => "Attention",
        ChatTone.Resolved => "Good",
        ChatTone.Failure => "Warning",
        _ => "Accent",
    };
}
