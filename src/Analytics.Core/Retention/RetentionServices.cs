using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Analytics.Retention;

/// <summary>Registers the purge of expired data.</summary>
internal static class RetentionServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<RetentionService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RetentionService>(sp => sp.GetRequiredService<RetentionService>()));
    }
}
