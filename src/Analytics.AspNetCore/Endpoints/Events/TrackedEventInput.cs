using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>A custom event, as <c>POST {prefix}/api/events</c> takes it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record TrackedEventInput
{
    [Description("What happened, such as deployment or signup: 1 to 100 characters, no control characters.")]
    [StringLength(RequestAnalyticsDefaults.MaxEventNameLength, MinimumLength = 1)]
    public required string Name { get; init; }

    [Description("Up to 50 properties of any JSON value; names of 1 to 100 characters.")]
    public IReadOnlyDictionary<string, JsonElement>? Properties { get; init; }

    [Description("Who did it.")]
    [StringLength(AnalyticsTracker.MaxUserIdLength)]
    public string? UserId { get; init; }

    [Description("When it happened (ISO-8601); the default is when it arrives. At most 5 minutes ahead, and within the raw retention.")]
    public DateTimeOffset? Timestamp { get; init; }

    [Description("How long it took, in milliseconds: 0 to one year.")]
    [Range(0d, 31_536_000_000d)]
    public double? Duration { get; init; }

    [Description("Whether it succeeded.")]
    public bool? Success { get; init; }
}
