using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Analytics.Webhooks;

/// <summary>Text rules of the chat services: each one's escaping, size limits, and the marks and colours of a tone.</summary>
internal static class ChatText
{
    /// <summary>
    /// The bodies keep emoji and punctuation as they are (valid JSON either way; the services decode both), so that the
    /// approved test files read as the messages do. They are never embedded in HTML.
    /// </summary>
    public static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Cuts <paramref name="text"/> to at most <paramref name="max"/> characters, ending with '…' when cut, never inside
    /// a surrogate pair.
    /// </summary>
    public static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var keep = max - 1;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), "…");
    }

    /// <summary>Slack's mrkdwn: '&amp;', '&lt;' and '&gt;' are control characters (links, mentions) and are escaped, as Slack documents.</summary>
    public static string Slack(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>
    /// Discord's markdown: emphasis, code, spoiler, quote, heading and link characters are escaped with a backslash
    /// (Discord drops a backslash before punctuation), and '&lt;' too, so that no text becomes a mention or channel tag.
    /// Pings are also off for the whole message (<c>allowed_mentions</c>).
    /// </summary>
    public static string Discord(string text) => Escape(text, @"\*_~`|>#[]<");

    /// <summary>
    /// The markdown subset Teams renders in an Adaptive Card's TextBlock and FactSet: emphasis, code and link
    /// characters are escaped with a backslash; line breaks become spaces (a fact is one line).
    /// </summary>
    public static string Teams(string text) => Escape(text.ReplaceLineEndings(" "), @"\*_`[]");

    public static string Emoji(ChatTone tone) => tone switch
    {
        ChatTone.Triggered => "🔴",
        ChatTone.Resolved => "✅",
        ChatTone.Failure => "⚠️",
        _ => "ℹ️",
    };

    /// <summary>The tone's colour as 0xRRGGBB.</summary>
    public static int Color(ChatTone tone) => tone switch
    {
        ChatTone.Triggered => 0xD93025,
        ChatTone.Resolved => 0x1E8E3E,
        ChatTone.Failure => 0xE37400,
        _ => 0x1A73E8,
    };

    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    private static string Escape(string text, string special)
    {
        if (text.AsSpan().IndexOfAny(special) < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (special.Contains(c, StringComparison.Ordinal))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
