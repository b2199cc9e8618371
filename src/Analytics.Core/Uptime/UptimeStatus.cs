using System.Text.Json.Serialization;

namespace Analytics.Uptime;

/// <summary>A health check's status, with the values of <c>Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UptimeStatus>))]
public enum UptimeStatus
{
    /// <summary>The check failed: the component is down.</summary>
    [JsonStringEnumMemberName("unhealthy")]
    Unhealthy = 0,

    /// <summary>The check passed with a warning: the component is up, and counts as up.</summary>
    [JsonStringEnumMemberName("degraded")]
    Degraded = 1,

    /// <summary>The check passed.</summary>
    [JsonStringEnumMemberName("healthy")]
    Healthy = 2,
}
