using System.Text.Json.Serialization;
using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>A webhook subscription as the API shows it: never its secrets, except the new one in the answer that creates it.</summary>
internal sealed record WebhookSubscriptionView
{
    public required string Id { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyList<string> EventTypes { get; init; }

    public required IReadOnlyList<string> EventNames { get; init; }

    /// <summary>Gets the body format; only standardWebhooks is signed, so a chat format shows no secrets (activeSecrets 0).</summary>
    public required WebhookFormat Format { get; init; }

    public required bool Enabled { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DisabledReason { get; init; }

    /// <summary>Gets how many secrets sign each message: 2 while rotating.</summary>
    public required int ActiveSecrets { get; init; }

    public required DefinitionSource Source { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Gets the secret, only in the answer that made it (a creation, or a PUT that changed a chat format to
    /// standardWebhooks); it is never shown again. Absent for chat formats, which have none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    public static WebhookSubscriptionView From(WebhookSubscription s, string? newSecret = null) => new()
    {
        Id = s.Id,
        Url = s.Url,
        EventTypes = s.EventTypes,
        EventNames = s.EventNames,
        Format = s.Format,
        Enabled = s.Enabled,
        DisabledReason = s.DisabledReason,
        ActiveSecrets = s.Secrets.Count,
        Source = s.Source,
        CreatedAt = s.CreatedAt,
        Secret = newSecret,
    };
}
