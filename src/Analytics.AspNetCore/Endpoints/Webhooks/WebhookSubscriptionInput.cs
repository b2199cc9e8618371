using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>A new webhook subscription, as <c>POST {prefix}/api/webhooks</c> takes it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record WebhookSubscriptionInput : WebhookSubscriptionUpdate
{
    [Description("The signing secret: whsec_ and the base64 of 24 to 64 random bytes. Generated when absent; shown once, in the answer. "
        + "Only for standardWebhooks: chat formats are not signed and take none.")]
    public string? Secret { get; init; }
}
