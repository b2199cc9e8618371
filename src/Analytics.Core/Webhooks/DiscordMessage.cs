using System.Buffers;
using System.Text.Json;

namespace Analytics.Webhooks;

/// <summary>
/// A Discord webhook body: <c>{ "content", "embeds": [ { title, description, url, color, fields, timestamp } ],
/// "allowed_mentions" }</c>, within Discord's limits. An embed's <c>url</c> must be absolute, so a relative dashboard
/// link is shown as a field instead. Mentions are off (<c>allowed_mentions.parse</c> empty): a route or an exception
/// message that says @everyone pings nobody.
/// </summary>
internal static class DiscordMessage
{
    // Discord's limits: content 2000, title 256, description 4096, 25 fields of name 256 and value 1024, 6000 in all.
    internal const int MaxContent = 2_000;
    internal const int MaxTitle = 256;
    internal const int MaxDescription = 4_096;
    internal const int MaxFields = 25;
    internal const int MaxFieldName = 256;
    internal const int MaxFieldValue = 1_024;

    // Not a documented limit: longer embed URLs have been refused, and no dashboard link needs more.
    internal const int MaxUrl = 2_048;

    public static byte[] Write(ChatMessage m)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, ChatText.Writer))
        {
            w.WriteStartObject();
            w.WriteString("content", ChatText.Truncate($"{ChatText.Emoji(m.Tone)} **{ChatText.Discord(m.Title)}**", MaxContent));
            w.WriteStartArray("embeds");
            w.WriteStartObject();
            w.WriteString("title", ChatText.Truncate(ChatText.Discord(m.Title), MaxTitle));
            // The summary is short: the cut keeps the embed's total (title, description, fields) well within 6000.
            w.WriteString("description", ChatText.Truncate(ChatText.Discord(m.Summary), 1_000));
            if (m.Link is { Length: <= MaxUrl } link && m.LinkIsAbsolute)
            {
                w.WriteString("url", link);
            }

            w.WriteNumber("color", ChatText.Color(m.Tone));
            var facts = m.Link is { } relative && !m.LinkIsAbsolute ? [.. m.Facts, KeyValuePair.Create("Dashboard", relative)] : m.Facts;
            w.WriteStartArray("fields");
            foreach (var (name, value) in facts.Take(MaxFields))
            {
                w.WriteStartObject();
                w.WriteString("name", ChatText.Truncate(name, MaxFieldName));
                // Each field is cut to a quarter of its limit: 11 fields of 256 stay under the embed's 6000 with the rest.
                w.WriteString("value", ChatText.Truncate(ChatText.Discord(value), 256));
                w.WriteBoolean("inline", value.Length <= 40);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("footer");
            w.WriteString("text", "Analytics");
            w.WriteEndObject();
            w.WriteString("timestamp", m.Time.ToUniversalTime());
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("allowed_mentions");
            w.WriteStartArray("parse");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
