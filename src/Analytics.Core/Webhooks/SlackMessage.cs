using System.Buffers;
using System.Text.Json;

namespace Analytics.Webhooks;

/// <summary>
/// A Slack incoming-webhook body: <c>{ "text", "blocks" }</c>. <c>text</c> is the fallback notifications show; the blocks
/// are a header with the headline, a section with the summary, a section of fields, the dashboard link (a button when absolute; Slack
/// makes no relative URL clickable, so a relative one is shown as text), and a context line with the time.
/// </summary>
internal static class SlackMessage
{
    // Slack's limits: a header's text 150 characters, a section's text 3000, a field's 2000, 10 fields, a button's text 75, a URL 3000.
    internal const int MaxHeader = 150;
    internal const int MaxSectionText = 3_000;
    internal const int MaxFieldText = 2_000;
    internal const int MaxFields = 10;
    internal const int MaxUrl = 3_000;

    public static byte[] Write(ChatMessage m)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, ChatText.Writer))
        {
            var emoji = ChatText.Emoji(m.Tone);
            w.WriteStartObject();
            w.WriteString("text", ChatText.Truncate($"{emoji} {ChatText.Slack(m.Title)}: {ChatText.Slack(m.Summary)}", MaxSectionText));
            w.WriteStartArray("blocks");

            // The headline as plain text: mrkdwn has no escape for '*', '_' or '~', so a rule named "*retries*" would
            // otherwise end the bold early. The summary, the fields and the context are mrkdwn, escaped as Slack documents.
            w.WriteStartObject();
            w.WriteString("type", "header");
            w.WriteStartObject("text");
            w.WriteString("type", "plain_text");
            w.WriteString("text", ChatText.Truncate($"{emoji} {m.Title}", MaxHeader));
            w.WriteBoolean("emoji", true);
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject();
            w.WriteString("type", "section");
            Text(w, "text", ChatText.Truncate(ChatText.Slack(m.Summary), MaxSectionText));
            w.WriteEndObject();

            if (m.Facts.Count > 0)
            {
                w.WriteStartObject();
                w.WriteString("type", "section");
                w.WriteStartArray("fields");
                foreach (var (name, value) in m.Facts.Take(MaxFields))
                {
                    w.WriteStartObject();
                    w.WriteString("type", "mrkdwn");
                    w.WriteString("text", ChatText.Truncate($"*{ChatText.Slack(name)}*\n{ChatText.Slack(value)}", MaxFieldText));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            if (m.Link is { Length: <= MaxUrl } link && m.LinkIsAbsolute)
            {
                w.WriteStartObject();
                w.WriteString("type", "actions");
                w.WriteStartArray("elements");
                w.WriteStartObject();
                w.WriteString("type", "button");
                w.WriteStartObject("text");
                w.WriteString("type", "plain_text");
                w.WriteString("text", "Open in dashboard");
                w.WriteEndObject();
                w.WriteString("url", link);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteStartObject();
            w.WriteString("type", "context");
            w.WriteStartArray("elements");
            w.WriteStartObject();
            w.WriteString("type", "mrkdwn");
            var dashboard = m.Link is { } relative && !m.LinkIsAbsolute ? $" · Dashboard: `{ChatText.Slack(relative)}`" : string.Empty;
            w.WriteString("text", ChatText.Truncate($"Analytics · {ChatText.Time(m.Time)}{dashboard}", MaxSectionText));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Text(Utf8JsonWriter w, string name, string mrkdwn)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", mrkdwn);
        w.WriteEndObject();
    }
}
