using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The body of <c>POST {prefix}/api/webhooks/{id}/secrets</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record WebhookSecretInput
{
    [Description("The secret to add: whsec_ and the base64 of 24 to 64 random bytes. Generated when absent; shown once, in the answer.")]
    public string? Secret { get; init; }
}
