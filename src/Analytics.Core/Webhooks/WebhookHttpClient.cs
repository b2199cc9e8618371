using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.Webhooks;

/// <summary>
/// Registers the named <see cref="HttpClient"/> webhooks are sent with, isolated from the host's
/// <c>ConfigureHttpClientDefaults</c>.
/// </summary>
/// <remarks>
/// <para>
/// Defaults apply to every named client, ours included, and IHttpClientFactory runs them before a client's own
/// configuration whatever the registration order. So an Aspire host's <c>AddStandardResilienceHandler()</c> default put
/// a second pipeline around ours: its 10 s attempt and 30 s total timeouts cut a <c>Retry-After</c> wait and the attempt
/// after it short, and its retries repeated what ours had decided against (a refused address).
/// </para>
/// <para>
/// The client stays on IHttpClientFactory and <c>AddResilienceHandler</c> (the pipeline in the resilience registry, its
/// telemetry, the factory's logging), and uses that ordering: what it configures below runs after every default. It
/// first removes every handler added so far. dotnet/extensions' answer for one client, <c>RemoveAllResilienceHandlers()</c>
/// (dotnet/extensions#5695), removes only <c>ResilienceHandler</c>s and is experimental: a Polly v7 handler, or a host's
/// own timeout, retry or header handler, would stay. The factory's logging handlers are added after all this, and kept.
/// Then come ours, and our primary handler replaces whatever a default set.
/// </para>
/// <para>
/// Two guards do not rest on that ordering, against what is registered outside the defaults (a handler builder filter,
/// a PostConfigureAll): the dispatcher sets <see cref="HttpClient.Timeout"/> on each client it creates, and
/// <see cref="WebhookAttemptHandler"/> sends nothing unless the handler that dials is the SSRF-guarded one.
/// </para>
/// </remarks>
internal static class WebhookHttpClient
{
    /// <summary>The client's name; the host can see it in logs, and should not configure it.</summary>
    public const string Name = "Analytics.Webhooks";

    public static void Add(IServiceCollection services)
    {
        var client = services.AddHttpClient(Name);
        client.ConfigureAdditionalHttpMessageHandlers(static (handlers, _) => handlers.Clear());
        client.AddResilienceHandler(WebhookResiliencePipeline.Name, static (pipeline, context) => WebhookResiliencePipeline.Configure(
            pipeline,
            context.ServiceProvider.GetRequiredService<WebhookDeliveryPolicy>(),
            context.ServiceProvider.GetRequiredService<TimeProvider>()));
        client.AddHttpMessageHandler(static sp => new WebhookAttemptHandler(
            sp.GetRequiredService<WebhookDeliveryPolicy>(),
            sp.GetRequiredService<TimeProvider>(),
            AllowPrivateNetworks(sp)));
        client.ConfigurePrimaryHttpMessageHandler(static sp => WebhookConnector.CreateHandler(AllowPrivateNetworks(sp)));
    }

    private static bool AllowPrivateNetworks(IServiceProvider services) =>
        services.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value.Webhooks.AllowPrivateNetworks;
}
