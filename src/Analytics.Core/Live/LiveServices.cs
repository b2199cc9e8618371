using Analytics.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Analytics.Live;

/// <summary>Registers the live feed, the listener that publishes committed batches to it, and its fan-out loop.</summary>
internal static class LiveServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<LiveFeed>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBatchListener, LiveFeedListener>());
        services.TryAddSingleton<LiveFeedService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LiveFeedService>(sp => sp.GetRequiredService<LiveFeedService>()));
    }
}
