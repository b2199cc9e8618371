using System.Text.Json.Serialization;

namespace Analytics;

/// <summary>A health check's status, with the values of <c>Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus</c>.</summary>
/// <remarks>
/// In the root namespace, like <see cref="ErrorSeverity"/>: both the uptime answers (<c>Analytics.Uptime</c>) and the
/// samples a store keeps (<see cref="Storage.HealthCheckSample"/>) carry it, and the store's types depend on no feature.
/// </remarks>
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
