using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The answer to the secret rotation endpoints; <c>secret</c> only when one was added.</summary>
internal sealed record WebhookSecrets(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret,
    int ActiveSecrets);
