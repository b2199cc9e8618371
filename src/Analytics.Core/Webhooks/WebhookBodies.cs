namespace Analytics.Webhooks;

/// <summary>
/// Turns a message as the outbox keeps it (the Standard Webhooks body) into the body its subscription's format sends.
/// </summary>
/// <remarks>
/// Rendered at delivery, not when the message is queued: the outbox and the batch writer stay format-agnostic (one body
/// per event, shared by every subscription it goes to, written in the batch's transaction), a change of a
/// subscription's format or of <see cref="RequestAnalyticsOptions.DashboardUrl"/> applies to the messages still pending,
/// and the cost (a parse and a write of a small document) is paid once per delivery, off the request path.
/// </remarks>
internal sealed class WebhookBodies(DashboardLinks links)
{
    public DashboardLinks Links { get; } = links;

    /// <summary>Tells whether messages of <paramref name="format"/> are signed (and carry the Standard Webhooks headers).</summary>
    public static bool IsSigned(WebhookFormat format) => format == WebhookFormat.StandardWebhooks;

    /// <summary>The body to send; the stored payload itself for <see cref="WebhookFormat.StandardWebhooks"/>.</summary>
    /// <exception cref="System.Text.Json.JsonException">The stored payload is not JSON.</exception>
    public byte[] For(WebhookFormat format, byte[] payload) => format switch
    {
        WebhookFormat.StandardWebhooks => payload,
        WebhookFormat.Slack => SlackMessage.Write(ChatMessages.From(payload, Links)),
        WebhookFormat.Teams => TeamsMessage.Write(ChatMessages.From(payload, Links)),
        WebhookFormat.Discord => DiscordMessage.Write(ChatMessages.From(payload, Links)),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a webhook format."),
    };
}
