using Analytics.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Analytics.Pipeline;

/// <summary>Registers the queue, the writer, and the writer's own listener: the meter.</summary>
internal static class PipelineServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(WriteBackoff.Default);
        services.TryAddSingleton<AnalyticsMetrics>();
        services.TryAddSingleton<AnalyticsQueue>();
        services.TryAddSingleton<IAnalyticsPipeline>(sp => sp.GetRequiredService<AnalyticsQueue>());
        services.TryAddSingleton<AnalyticsWriter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AnalyticsWriter>(sp => sp.GetRequiredService<AnalyticsWriter>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBatchListener, BatchMeter>());
    }
}
