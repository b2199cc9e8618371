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

    public required bool Enabled { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DisabledReason { get; init; }

    /// <summary>Gets how many secrets sign each message: 2 while rotating.</summary>
    public required int ActiveSecrets { get; init; }

    public required DefinitionSource Source { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets the secret, only in the answer that created it; it is never shown again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    public static WebhookSubscriptionView From(WebhookSubscription s, string? newSecret = null) => new()
    {
        Id = s.Id,
        Url = s.Url,
        EventTypes = s.EventTypes,
        EventNames = s.EventNames,
        Enabled = s.Enabled,
        DisabledReason = s.DisabledReason,
        ActiveSecrets = s.Secrets.Count,
        Source = s.Source,
        CreatedAt = s.CreatedAt,
        Secret = newSecret,
    };
}
