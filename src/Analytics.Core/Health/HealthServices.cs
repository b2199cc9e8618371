using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Analytics.Health;

/// <summary>Registers the process-health sampler.</summary>
internal static class HealthServices
{
    public static void Add(IServiceCollection services) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, HealthSampler>());
}
