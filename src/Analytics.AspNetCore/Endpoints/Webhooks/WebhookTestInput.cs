using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The body of <c>POST {prefix}/api/webhooks/{id}/test</c>: nothing, or an empty object.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record WebhookTestInput;
