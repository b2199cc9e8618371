using Analytics.AspNetCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a health check for the request analytics pipeline and its store.</summary>
public static class RequestAnalyticsHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that is unhealthy when the analytics store cannot be reached or the writer keeps failing, and
    /// degraded when the queue is nearly full. Requires <c>AddRequestAnalytics</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. The default is <c>request-analytics</c>.</param>
    /// <param name="failureStatus">The status reported on failure. The default is <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddRequestAnalyticsCheck(
        this IHealthChecksBuilder builder,
        string name = "request-analytics",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.AddCheck<RequestAnalyticsHealthCheck>(name, failureStatus, tags ?? []);
    }
}
