using System.Text.Json.Serialization;

namespace Analytics;

/// <summary>How serious a group of failed requests is; see <see cref="RequestAnalyticsOptions.ClassifyError"/>.</summary>
// The names the HTTP API sends, on the type for the reason given on Granularity.
[JsonConverter(typeof(JsonStringEnumConverter<ErrorSeverity>))]
public enum ErrorSeverity
{
    /// <summary>Worth knowing, not worth waking anyone.</summary>
    [JsonStringEnumMemberName("low")]
    Low = 0,

    /// <summary>The default for a 5xx response without an exception: the app answered, but failed.</summary>
    [JsonStringEnumMemberName("medium")]
    Medium = 1,

    /// <summary>The default for an unhandled exception: the app did not answer on its own.</summary>
    [JsonStringEnumMemberName("high")]
    High = 2,
}
