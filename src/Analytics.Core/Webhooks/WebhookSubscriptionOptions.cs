namespace Analytics.Webhooks;

/// <summary>A webhook subscription declared in configuration.</summary>
public sealed class WebhookSubscriptionOptions
{
    /// <summary>Gets or sets the subscription's id: 1 to 64 letters, digits, '-', '_' or '.'. Required and unique.</summary>
    public string? Id { get; set; }

    /// <summary>Gets or sets the absolute http or https URL messages are posted to. Required.</summary>
    public string? Url { get; set; }

    /// <summary>Gets the event types sent (see <see cref="WebhookEventTypes"/>); at least one.</summary>
    public IList<string> EventTypes { get; } = [];

    /// <summary>Gets the custom-event names sent as <c>event.tracked</c>; empty sends every name.</summary>
    public IList<string> EventNames { get; } = [];

    /// <summary>Gets or sets whether messages are sent. The default is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the body format. The default is <see cref="WebhookFormat.StandardWebhooks"/>, the only signed one;
    /// the chat formats need no secret.
    /// </summary>
    public WebhookFormat Format { get; set; } = WebhookFormat.StandardWebhooks;

    /// <summary>
    /// Gets the signing secrets, newest first: one, or two while rotating (every message then carries both
    /// signatures). Each is <c>whsec_</c> followed by the base64 of 24 to 64 random bytes.
    /// </summary>
    public IList<string> Secrets { get; } = [];
}
