using Analytics.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Webhooks;

/// <summary>
/// The subscriptions in effect, cached for the writer (which must not query the store per record), the alert evaluator
/// and the dispatcher. Subscriptions declared in options are copied into the store when first loaded, so that the
/// dispatcher, the deliveries log and 410 handling treat both kinds alike.
/// </summary>
internal sealed partial class WebhookSubscriptions
{
    // Another instance sharing the store may change subscriptions; this is how stale this instance's copy may get.
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly WebhookOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private volatile WebhookSubscription[] _all = [];
    private volatile bool _loaded;
    private long _loadedAt;

    public WebhookSubscriptions(
        StoreCapabilities capabilities,
        IOptions<RequestAnalyticsOptions> options,
        TimeProvider timeProvider,
        ILogger<WebhookSubscriptions> logger)
    {
        Store = capabilities.Webhooks;
        _options = options.Value.Webhooks;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Gets the store's webhook capability, or <see langword="null"/> when the store has none (webhooks are then off).</summary>
    public IWebhookStore? Store { get; }

    public bool AllowPrivateNetworks => _options.AllowPrivateNetworks;

    /// <summary>Gets every subscription as last loaded.</summary>
    public IReadOnlyList<WebhookSubscription> All => _all;

    /// <summary>Loads the subscriptions once (copying the declared ones into the store first), and again when the copy is stale.</summary>
    public async ValueTask EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (Store is null || (_loaded && _timeProvider.GetElapsedTime(Volatile.Read(ref _loadedAt)) < RefreshInterval))
        {
            return;
        }

        await ReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the subscriptions from the store again; called after every change made through the API.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        if (Store is not { } store)
        {
            return;
        }

        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_loaded)
            {
                await CopyDeclaredAsync(store, cancellationToken).ConfigureAwait(false);
            }

            _all = [.. await store.ListWebhookSubscriptionsAsync(cancellationToken).ConfigureAwait(false)];
            Volatile.Write(ref _loadedAt, _timeProvider.GetTimestamp());
            _loaded = true;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private async Task CopyDeclaredAsync(IWebhookStore store, CancellationToken cancellationToken)
    {
        var declared = _options.Subscriptions.Select(ToSubscription).ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var existing in await store.ListWebhookSubscriptionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (existing.Source == DefinitionSource.Options && !declared.ContainsKey(existing.Id))
            {
                await store.DeleteWebhookSubscriptionAsync(existing.Id, cancellationToken).ConfigureAwait(false);
            }
            else if (existing.Source == DefinitionSource.Api && declared.ContainsKey(existing.Id))
            {
                LogDeclaredIdTaken(_logger, existing.Id);
                declared.Remove(existing.Id);
            }
        }

        foreach (var subscription in declared.Values)
        {
            if (!await store.UpdateWebhookSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false))
            {
                await store.AddWebhookSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private WebhookSubscription ToSubscription(WebhookSubscriptionOptions o) => new()
    {
        Id = o.Id!,
        Url = o.Url!,
        EventTypes = [.. o.EventTypes],
        EventNames = [.. o.EventNames],
        Enabled = o.Enabled,
        Secrets = [.. o.Secrets],
        Source = DefinitionSource.Options,
        CreatedAt = _timeProvider.GetUtcNow(),
    };
}
