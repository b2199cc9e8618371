using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>An alert rule's state as the API shows it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertRuleState>))]
internal enum AlertRuleState
{
    /// <summary>Within its threshold.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>Crossed its threshold and not yet back.</summary>
    [JsonStringEnumMemberName("firing")]
    Firing,
}
