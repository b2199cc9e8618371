using System.Text.Json.Serialization;

namespace Analytics;

/// <summary>What an alert rule measures over its window.</summary>
// The names the HTTP API sends, on the type for the reason given on Granularity.
[JsonConverter(typeof(JsonStringEnumConverter<AlertMetric>))]
public enum AlertMetric
{
    /// <summary>The share of failed requests, from 0 to 1 (0 when there were none).</summary>
    [JsonStringEnumMemberName("errorRate")]
    ErrorRate,

    /// <summary>The 95th percentile of request duration, in milliseconds.</summary>
    [JsonStringEnumMemberName("p95")]
    P95,

    /// <summary>The 99th percentile of request duration, in milliseconds.</summary>
    [JsonStringEnumMemberName("p99")]
    P99,

    /// <summary>The number of requests.</summary>
    [JsonStringEnumMemberName("requestCount")]
    RequestCount,

    /// <summary>The number of custom events (of <see cref="Alerts.AlertRuleOptions.EventName"/> when set).</summary>
    [JsonStringEnumMemberName("eventCount")]
    EventCount,

    /// <summary>
    /// The count of this window over the count of the window before it: requests, or custom events when
    /// <see cref="Alerts.AlertRuleOptions.EventName"/> is set. Not measured when the window before had none.
    /// </summary>
    [JsonStringEnumMemberName("changeRatio")]
    ChangeRatio,

    /// <summary>
    /// How fast the error budget of the objective named <see cref="Alerts.AlertRuleOptions.Slo"/> burns: the smaller
    /// of the burn rates over the rule's window and over a twelfth of it (the SRE workbook's multi-window rule), so a
    /// rule fires only while both the long and the short window burn faster than its threshold.
    /// </summary>
    [JsonStringEnumMemberName("burnRate")]
    BurnRate,

    /// <summary>
    /// The number of open uptime incidents of the health check named <see cref="Alerts.AlertRuleOptions.Check"/> (of
    /// every check when unset), over every instance; with the default threshold 0 and operator '&gt;', fires on an open incident.
    /// </summary>
    [JsonStringEnumMemberName("healthCheck")]
    HealthCheck,
}
