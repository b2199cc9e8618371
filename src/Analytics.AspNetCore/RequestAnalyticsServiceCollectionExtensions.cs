using Analytics;
using Analytics.AspNetCore;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds request analytics to the service collection.</summary>
public static class RequestAnalyticsServiceCollectionExtensions
{
    /// <summary>
    /// Adds request analytics: binds the configuration section <c>RequestAnalytics</c>, then applies
    /// <paramref name="configure"/>; options are validated when the host starts. The store is an SQLite file
    /// <c>analytics.db</c> in the user's local application data (outside the content root, whose files the configuration
    /// watches; the path is logged at start) unless another is chosen on the returned builder. ASP.NET Core Data Protection
    /// is added too (<c>AddDataProtection()</c>, which keeps the host's own configuration of it): webhook signing secrets
    /// are stored protected with the host's key ring, which instances sharing a store must share. When the host has health
    /// checks (<c>AddHealthChecks()</c>), every report they publish is stored for uptime (<c>{prefix}/api/uptime</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional code configuration, applied after the configuration section.</param>
    /// <returns>A builder to choose the store with, for example <c>.UseSqlite("data/analytics.db")</c>.</returns>
    public static IRequestAnalyticsBuilder AddRequestAnalytics(this IServiceCollection services, Action<RequestAnalyticsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        // Binding twice would append the configured lists twice, so only the first call binds and registers.
        if (!services.Any(d => d.ServiceType == typeof(RequestAnalyticsMarkerService)))
        {
            services.AddSingleton<RequestAnalyticsMarkerService>();
            services.AddOptions<RequestAnalyticsOptions>().BindConfiguration(RequestAnalyticsDefaults.ConfigurationSection);
            services.TryAddSingleton<Analytics.Live.ILiveMessageSerializer, Analytics.AspNetCore.Endpoints.LiveMessageSerializer>();
            AnalyticsCoreServices.Add(services);
            SqliteRequestAnalyticsBuilderExtensions.TryAddDefault(services);
            services.AddDataProtection(); // idempotent: the host's own configuration of it, before or after, applies
            services.TryAddSingleton<IWebhookSecretProtector, DataProtectionWebhookSecretProtector>();
            services.TryAddSingleton<RequestAnalyticsMiddlewareSettings>();
            services.TryAddSingleton<RequestAnalyticsPlacement>();
            services.TryAddEnumerable(ServiceDescriptor.Transient<Microsoft.AspNetCore.Hosting.IStartupFilter, RequestAnalyticsStartupFilter>());

            // Run by the host's HealthCheckPublisherHostedService, which AddHealthChecks() registers; without it, never resolved.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<
                Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheckPublisher, UptimeHealthCheckPublisher>());
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new RequestAnalyticsBuilder(services);
    }

    private sealed class RequestAnalyticsBuilder(IServiceCollection services) : IRequestAnalyticsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
