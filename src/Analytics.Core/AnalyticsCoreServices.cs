using Analytics.Alerts;
using Analytics.Live;
using Analytics.Metrics;
using Analytics.Pipeline;
using Analytics.Queries;
using Analytics.Retention;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Analytics;

/// <summary>Registers the host-agnostic services; the ASP.NET Core package calls this from <c>AddRequestAnalytics</c>.</summary>
internal static class AnalyticsCoreServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddOptions();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RequestAnalyticsOptions>, RequestAnalyticsOptionsValidator>());
        services.AddOptions<RequestAnalyticsOptions>().ValidateOnStart();

        services.TryAddSingleton(WriteBackoff.Default);
        services.TryAddSingleton<AnalyticsMetrics>();
        services.TryAddSingleton<AnalyticsQueue>();
        services.TryAddSingleton<IAnalyticsPipeline>(sp => sp.GetRequiredService<AnalyticsQueue>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value;
            var environment = options.EnvironmentName ?? sp.GetService<IHostEnvironment>()?.EnvironmentName;
            return new HostIdentity(environment, options.InstanceName ?? System.Environment.MachineName);
        });
        services.TryAddSingleton<IAnalyticsTracker, AnalyticsTracker>();
        services.TryAddSingleton<LiveFeed>();
        services.TryAddSingleton<PrometheusMetrics>();
        services.TryAddSingleton<AnalyticsWriter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AnalyticsWriter>(sp => sp.GetRequiredService<AnalyticsWriter>()));
        services.TryAddSingleton<IAnalyticsQueries, AnalyticsQueries>();
        services.TryAddSingleton<LiveFeedService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LiveFeedService>(sp => sp.GetRequiredService<LiveFeedService>()));
        services.TryAddSingleton(WebhookDeliveryPolicy.Default);
        services.TryAddSingleton<WebhookSubscriptions>();
        services.TryAddSingleton<WebhookDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhookDispatcher>(sp => sp.GetRequiredService<WebhookDispatcher>()));
        WebhookHttpClient.Add(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Health.HealthSampler>());
        services.TryAddSingleton<AlertEvaluator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AlertEvaluator>(sp => sp.GetRequiredService<AlertEvaluator>()));
        services.TryAddSingleton<RetentionService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RetentionService>(sp => sp.GetRequiredService<RetentionService>()));
    }
}
