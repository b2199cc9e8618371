using Analytics.Alerts;
using Analytics.Health;
using Analytics.Live;
using Analytics.Metrics;
using Analytics.Pipeline;
using Analytics.Queries;
using Analytics.Retention;
using Analytics.Storage;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics;

/// <summary>
/// Registers the host-agnostic services; the ASP.NET Core package calls this from <c>AddRequestAnalytics</c>. Each
/// feature registers its own services. The order matters once: the writer tells its <see cref="IBatchListener"/>s in
/// registration order, so the meter records a batch first and the live stream shows it last.
/// </summary>
internal static class AnalyticsCoreServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddOptions();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RequestAnalyticsOptions>, RequestAnalyticsOptionsValidator>());
        services.AddOptions<RequestAnalyticsOptions>().ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value;
            var environment = options.EnvironmentName ?? sp.GetService<IHostEnvironment>()?.EnvironmentName;
            return new HostIdentity(
                environment,
                options.InstanceName ?? System.Environment.MachineName,
                options.Release ?? HostIdentity.DefaultRelease(System.Reflection.Assembly.GetEntryAssembly()));
        });

        // The store is registered by its package (UseSqlite, UsePostgreSql); what it supports is read once, here.
        services.TryAddSingleton(static sp => StoreCapabilitiesReader.Read(
            sp.GetRequiredService<IAnalyticsStore>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StoreCapabilities))));

        services.TryAddSingleton<IAnalyticsTracker, AnalyticsTracker>();
        services.TryAddSingleton<IAnalyticsQueries, AnalyticsQueries>();
        PipelineServices.Add(services);
        WebhookServices.Add(services);
        PrometheusServices.Add(services);
        LiveServices.Add(services);
        HealthServices.Add(services);
        AlertServices.Add(services);
        RetentionServices.Add(services);
    }
}
