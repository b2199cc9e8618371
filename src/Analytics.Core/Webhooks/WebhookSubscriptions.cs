using Analytics.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Webhooks;

/// <summary>
/// The subscriptions in effect, cached for the writer (which must not query the store per record), the alert evaluator
/// and the dispatcher. When first loaded, the subscriptions declared in options are copied into the store, so that the
/// dispatcher, the deliveries log and 410 handling treat both kinds alike, and secrets still stored as plain text (by a
/// version before they were protected) are protected.
/// </summary>
/// <remarks>
/// A declared subscription that a receiver disabled with 410 Gone stays disabled across restarts while its declaration
/// (URL, event types, event names, format, secrets) is unchanged: copying it again must not resend to a receiver that said it
/// is gone. Changing the declaration, or a PUT of the unchanged definition with <c>enabled: true</c>, enables it again.
/// </remarks>
internal sealed partial class WebhookSubscriptions
{
    // Another instance sharing the store may change subscriptions; this is how stale this instance's copy may get.
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly WebhookOptions _options;
    private readonly WebhookSecretProtection _secrets;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private volatile WebhookSubscription[] _all = [];
    private volatile bool _loaded;
    private long _loadedAt;

    public WebhookSubscriptions(
        StoreCapabilities capabilities,
        IOptions<RequestAnalyticsOptions> options,
        WebhookSecretProtection secrets,
        TimeProvider timeProvider,
        ILogger<WebhookSubscriptions> logger)
    {
        Store = capabilities.Webhooks;
        _options = options.Value.Webhooks;
        _secrets = secrets;
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
                await ProtectStoredSecretsAsync(store, cancellationToken).ConfigureAwait(false);
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
        var stored = new Dictionary<string, WebhookSubscription>(StringComparer.Ordinal);
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
            else
            {
                stored[existing.Id] = existing;
            }
        }

        foreach (var subscription in declared.Values)
        {
            var copy = subscription with { Secrets = _secrets.ToStored(subscription.Secrets) };
            if (stored.GetValueOrDefault(subscription.Id) is { } existing && SameTarget(existing, subscription))
            {
                // Secrets that cannot be unprotected any more (a lost key ring) are taken to be the declared ones, which
                // replace them: what this host cannot read it cannot compare, and a 410 Gone must not be undone by it.
                var readable = _secrets.TryReveal(existing, out var secrets);
                if (!readable || secrets!.SequenceEqual(subscription.Secrets, StringComparer.Ordinal))
                {
                    if (existing is { Enabled: false, DisabledReason: { } reason } && subscription.Enabled)
                    {
                        LogDeclaredStaysDisabled(_logger, existing.Id, reason);
                        if (readable)
                        {
                            continue; // plain-text secrets, if any, are protected next like any stored subscription's
                        }

                        copy = copy with { Enabled = false, DisabledReason = reason };
                    }
                    else if (readable && existing.Enabled == subscription.Enabled && existing.DisabledReason is null
                        && !_secrets.NeedsProtection(existing))
                    {
                        continue; // as declared: rewriting it would only protect the same secrets again
                    }
                }
            }

            if (!await store.UpdateWebhookSubscriptionAsync(copy, cancellationToken).ConfigureAwait(false))
            {
                await store.AddWebhookSubscriptionAsync(copy, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Tells whether two subscriptions send the same messages, in the same format, to the same URL (secrets and enabled
    /// state aside).
    /// </summary>
    internal static bool SameTarget(WebhookSubscription a, WebhookSubscription b) =>
        string.Equals(a.Url, b.Url, StringComparison.Ordinal)
        && a.EventTypes.ToHashSet(StringComparer.Ordinal).SetEquals(b.EventTypes)
        && a.EventNames.ToHashSet(StringComparer.Ordinal).SetEquals(b.EventNames)
        && a.Format == b.Format;

    /// <summary>
    /// Protects the secrets that an earlier version stored as plain text, and says which stored secrets this host cannot
    /// read. Idempotent, and safe when several instances of a shared store start together: each writes a protection of
    /// the same secrets (they share a key ring), and a subscription is read again just before it is rewritten, so a
    /// change made meanwhile (a rotation, a 410) is not undone but for the few microseconds between that read and the write.
    /// </summary>
    private async Task ProtectStoredSecretsAsync(IWebhookStore store, CancellationToken cancellationToken)
    {
        var protectedCount = 0;
        foreach (var listed in await store.ListWebhookSubscriptionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_secrets.NeedsProtection(listed)
                && await store.GetWebhookSubscriptionAsync(listed.Id, cancellationToken).ConfigureAwait(false) is { } current
                && _secrets.NeedsProtection(current))
            {
                var updated = current with { Secrets = _secrets.ToStored(current.Secrets) };
                if (await store.UpdateWebhookSubscriptionAsync(updated, cancellationToken).ConfigureAwait(false))
                {
                    protectedCount++;
                }
            }
            else if (!_secrets.TryReveal(listed, out _))
            {
                LogSecretUnreadable(_logger, listed.Id);
            }
        }

        if (protectedCount > 0)
        {
            LogSecretsProtected(_logger, protectedCount);
        }
    }

    private WebhookSubscription ToSubscription(WebhookSubscriptionOptions o) => new()
    {
        Id = o.Id!,
        Url = o.Url!,
        EventTypes = [.. o.EventTypes],
        EventNames = [.. o.EventNames],
        Format = o.Format,
        Enabled = o.Enabled,
        Secrets = [.. o.Secrets],
        Source = DefinitionSource.Options,
        CreatedAt = _timeProvider.GetUtcNow(),
    };
}
