using System.Text.Json.Serialization;

namespace Analytics;

/// <summary>How an alert rule compares its value with its threshold.</summary>
// The names the HTTP API sends, on the type for the reason given on Granularity.
[JsonConverter(typeof(JsonStringEnumConverter<AlertOperator>))]
public enum AlertOperator
{
    /// <summary>Fires when the value is above the threshold (<c>&gt;</c>).</summary>
    [JsonStringEnumMemberName(">")]
    GreaterThan,

    /// <summary>Fires when the value is at or above the threshold (<c>&gt;=</c>).</summary>
    [JsonStringEnumMemberName(">=")]
    GreaterThanOrEqual,

    /// <summary>Fires when the value is below the threshold (<c>&lt;</c>).</summary>
    [JsonStringEnumMemberName("<")]
    LessThan,

    /// <summary>Fires when the value is at or below the threshold (<c>&lt;=</c>).</summary>
    [JsonStringEnumMemberName("<=")]
    LessThanOrEqual,
}
