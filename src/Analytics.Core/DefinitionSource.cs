using System.Text.Json.Serialization;

namespace Analytics;

/// <summary>Where a webhook subscription or an alert rule was defined.</summary>
// The names the HTTP API sends, on the type for the reason given on Granularity.
[JsonConverter(typeof(JsonStringEnumConverter<DefinitionSource>))]
public enum DefinitionSource
{
    /// <summary>Created through the HTTP API; it can be changed and deleted there.</summary>
    [JsonStringEnumMemberName("api")]
    Api,

    /// <summary>Declared in <see cref="RequestAnalyticsOptions"/>; read-only through the HTTP API, changed in configuration.</summary>
    [JsonStringEnumMemberName("options")]
    Options,
}
