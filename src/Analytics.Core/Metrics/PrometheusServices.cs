using Analytics.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Analytics.Metrics;

/// <summary>Registers the Prometheus counters and the listener that feeds them.</summary>
internal static class PrometheusServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<PrometheusMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBatchListener, PrometheusListener>());
    }
}
