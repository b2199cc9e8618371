using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Analytics.Alerts;

/// <summary>Registers the alert evaluator.</summary>
internal static class AlertServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<AlertEvaluator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AlertEvaluator>(sp => sp.GetRequiredService<AlertEvaluator>()));
    }
}
