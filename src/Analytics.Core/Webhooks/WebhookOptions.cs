namespace Analytics.Webhooks;

/// <summary>Options of webhook delivery, under <c>RequestAnalytics:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Gets the subscriptions declared in configuration. They are read-only through the HTTP API; subscriptions created
    /// there are kept in the store. Empty by default.
    /// </summary>
    public IList<WebhookSubscriptionOptions> Subscriptions { get; } = [];

    /// <summary>
    /// Gets or sets whether webhooks may be delivered to loopback, private (RFC 1918, IPv6 ULA), link-local, CGNAT,
    /// multicast and unspecified addresses. Leave it off unless every receiver is on your own network: with it off, a
    /// subscription cannot be used to reach the host's own network (SSRF), whatever its host name resolves to.
    /// The default is <see langword="false"/>.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; } = RequestAnalyticsDefaults.WebhookAllowPrivateNetworks;

    /// <summary>
    /// Gets or sets the most <c>request.failed</c> messages queued per subscription per minute; the failures beyond it
    /// are still recorded, only not sent, so that an outage does not become a flood of webhooks. Must be between 1 and
    /// 100 000. The default is 60.
    /// </summary>
    public int MaxRequestFailedPerMinute { get; set; } = RequestAnalyticsDefaults.WebhookMaxRequestFailedPerMinute;
}

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
    /// Gets the signing secrets, newest first: one, or two while rotating (every message then carries both
    /// signatures). Each is <c>whsec_</c> followed by the base64 of 24 to 64 random bytes.
    /// </summary>
    public IList<string> Secrets { get; } = [];
}
