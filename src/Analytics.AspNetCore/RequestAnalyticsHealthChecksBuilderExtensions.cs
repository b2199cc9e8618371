using Analytics.AspNetCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a health check for the request analytics pipeline and its store.</summary>
public static class RequestAnalyticsHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that reports <paramref name="failureStatus"/> (by default <see cref="HealthStatus.Degraded"/>) when
    /// the analytics store cannot be reached or the writer keeps failing, and degraded when the queue is nearly full.
    /// Requires <c>AddRequestAnalytics</c>.
    /// </summary>
    /// <remarks>
    /// The app keeps serving while its analytics store is down (records wait in the queue, then are dropped and counted),
    /// so store trouble is not a reason to take the instance out of rotation: a readiness probe on <c>/health</c> stays
    /// green (a degraded report answers 200). Pass <see cref="HealthStatus.Unhealthy"/> to make it one, and tag the check
    /// so that only the probes you choose run it.
    /// </remarks>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. The default is <c>request-analytics</c>.</param>
    /// <param name="failureStatus">
    /// The status reported when the store or the writer fails. The default is <see cref="HealthStatus.Degraded"/>.
    /// </param>
    /// <param name="tags">Tags for filtering checks. The default is none.</param>
    /// <param name="timeout">How long the check may take before it counts as failed. The default is none (the health check service's own).</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddRequestAnalyticsCheck(
        this IHealthChecksBuilder builder,
        string name = "request-analytics",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (timeout is { } limit && limit <= TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeout), limit, "The health check's timeout must be positive, or Timeout.InfiniteTimeSpan.");
        }

        return builder.AddCheck<RequestAnalyticsHealthCheck>(name, failureStatus ?? HealthStatus.Degraded, tags ?? [], timeout);
    }
}
