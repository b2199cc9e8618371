using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Alerts;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The body of <c>POST {prefix}/api/webhooks/{id}/test</c>: nothing, or an empty object.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record WebhookTestInput;
