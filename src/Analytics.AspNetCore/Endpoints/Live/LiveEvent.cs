using System.Text.Json.Serialization;
using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>An <c>event</c> event: a custom event as tracked, its properties as they were posted.</summary>
internal sealed record LiveEvent
{
    public required DateTimeOffset Time { get; init; }

    public required string Name { get; init; }

    public string? UserId { get; init; }

    public double? Duration { get; init; }

    public bool? Success { get; init; }

    [JsonConverter(typeof(RawJsonConverter))]
    public string? Properties { get; init; }

    public string? Environment { get; init; }

    public string? Instance { get; init; }

    public static LiveEvent From(EventRecord e) => new()
    {
        Time = e.Timestamp,
        Name = e.Name,
        UserId = e.UserId,
        Duration = e.Duration?.TotalMilliseconds,
        Success = e.Success,
        Properties = e.PropertiesJson,
        Environment = e.Environment,
        Instance = e.Instance,
    };
}
