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
    /// Gets or sets whether webhooks may be delivered to addresses that are not the public internet: loopback, private
    /// (RFC 1918, IPv6 ULA), link-local, CGNAT, multicast, unspecified, every other block of the IANA IPv4 and IPv6
    /// special-purpose address registries, IPv6 outside <c>2000::/3</c>, and the IPv6 forms whose IPv4 address a
    /// translator, relay or tunnel reaches (local-use NAT64 <c>64:ff9b:1::/48</c>, IPv4-translated, IPv4-compatible,
    /// 6to4, Teredo; the IPv4-mapped and well-known NAT64 <c>64:ff9b::/96</c> forms of a public address are allowed).
    /// Leave it off unless every receiver is on your own network: with it off, a subscription cannot be used to reach
    /// the host's own network (SSRF), whatever its host name resolves to. The default is <see langword="false"/>.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; } = RequestAnalyticsDefaults.WebhookAllowPrivateNetworks;

    /// <summary>
    /// Gets or sets the most <c>request.failed</c> messages queued per subscription per minute; the failures beyond it
    /// are still recorded, only not sent, so that an outage does not become a flood of webhooks. Must be between 1 and
    /// 100 000. The default is 60.
    /// </summary>
    public int MaxRequestFailedPerMinute { get; set; } = RequestAnalyticsDefaults.WebhookMaxRequestFailedPerMinute;

    /// <summary>
    /// Gets or sets the most deliveries to one subscription that an instance's dispatcher runs at once, out of its 16;
    /// the subscription's other due messages wait in the outbox, unclaimed, until one of them ends. A receiver that never
    /// answers then holds only these slots, and every other subscription's messages still go out. Must be between 1 and
    /// 1 000. The default is 4.
    /// </summary>
    public int MaxConcurrentDeliveriesPerSubscription { get; set; } = RequestAnalyticsDefaults.WebhookMaxConcurrentDeliveriesPerSubscription;
}
