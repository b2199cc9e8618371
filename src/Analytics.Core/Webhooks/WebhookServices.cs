using Analytics.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Analytics.Webhooks;

/// <summary>Registers webhooks: the subscriptions, the batch step that makes messages, the dispatcher and its client.</summary>
internal static class WebhookServices
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(WebhookDeliveryPolicy.Default);
        // The protector is Analytics.AspNetCore's (Data Protection) when registered; without one, secrets stay as given.
        services.TryAddSingleton(static sp => new WebhookSecretProtection(sp.GetService<IWebhookSecretProtector>()));
        services.TryAddSingleton<WebhookSubscriptions>();
        services.TryAddSingleton<WebhookOutboxSignal>();
        services.TryAddSingleton<DashboardLinks>();
        services.TryAddSingleton<WebhookBodies>();
        services.TryAddSingleton<RequestFailedCap>();
        services.TryAddSingleton<WebhookBatchMessages>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBatchStep, WebhookBatchMessages>(
            sp => sp.GetRequiredService<WebhookBatchMessages>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBatchListener, WebhookBatchMessages>(
            sp => sp.GetRequiredService<WebhookBatchMessages>()));
        services.TryAddSingleton<WebhookDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhookDispatcher>(
            sp => sp.GetRequiredService<WebhookDispatcher>()));
        WebhookHttpClient.Add(services);
    }
}
