using System.Text.Json.Serialization;

namespace Analytics;

/// <summary>The width of a rollup bucket. Buckets are aligned to UTC minutes, hours and days.</summary>
// The HTTP API sends the names below. They are on the type, not in the API's serializer context, so that whoever
// serializes this enum, and the schema a host's OpenAPI generator exports from the host's own JSON options, agree on them.
[JsonConverter(typeof(JsonStringEnumConverter<Granularity>))]
public enum Granularity
{
    /// <summary>One-minute buckets.</summary>
    [JsonStringEnumMemberName("minute")]
    Minute = 0,

    /// <summary>One-hour buckets.</summary>
    [JsonStringEnumMemberName("hour")]
    Hour = 1,

    /// <summary>One-day buckets (UTC days).</summary>
    [JsonStringEnumMemberName("day")]
    Day = 2,
}
