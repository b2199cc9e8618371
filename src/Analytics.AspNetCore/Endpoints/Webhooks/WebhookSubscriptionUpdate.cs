using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>A webhook subscription's definition, as <c>PUT {prefix}/api/webhooks/{id}</c> takes it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal record WebhookSubscriptionUpdate
{
    [Description("Where messages are posted: an http or https URL outside private networks (unless RequestAnalytics:Webhooks:AllowPrivateNetworks).")]
    public required Uri Url { get; init; }

    [Description("The event types to send: 1 to 16 of them.")]
    public required IReadOnlyList<WebhookEventType> EventTypes { get; init; }

    [Description("With event.tracked: only custom events of these names (at most 100); empty or absent for all.")]
    public IReadOnlyList<string>? EventNames { get; init; }

    [Description("The body format: standardWebhooks (signed; the default at creation), or slack, teams or discord (chat messages, "
        + "not signed, without secrets). Absent in a PUT: unchanged.")]
    public WebhookFormat? Format { get; init; }

    [Description("Whether messages are sent.")]
    [DefaultValue(true)]
    public bool? Enabled { get; init; }
}
