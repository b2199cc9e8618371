using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>Which way an alert rule's state changed, as the history and the <c>alert.*</c> webhooks name it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertStateChange>))]
internal enum AlertStateChange
{
    /// <summary>The rule crossed its threshold (<c>alert.triggered</c>).</summary>
    [JsonStringEnumMemberName("triggered")]
    Triggered,

    /// <summary>The rule is back within its threshold (<c>alert.resolved</c>).</summary>
    [JsonStringEnumMemberName("resolved")]
    Resolved,
}
