using Analytics.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Webhooks;

/// <summary>
/// The subscriptions in effect, cached for the writer (which must not query the store per record), and the making of
/// messages for them. Subscriptions declared in options are copied into the store when first loaded, so that the
/// dispatcher, the deliveries log and 410 handling treat both kinds alike. Also the signal that wakes the dispatcher.
/// </summary>
internal sealed partial class WebhookSubscriptions
{
    // Another instance sharing the store may change subscriptions; this is how stale this instance's copy may get.
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly WebhookOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    // request.failed messages per subscription in the current minute: as committed, and as counted for the batch being
    // written, which starts again from the committed counts on each attempt. Both the writer's alone.
    private readonly Dictionary<string, (long Minute, int Count)> _failedPerMinute = [];
    private readonly Dictionary<string, (long Minute, int Count)> _failedInBatch = [];
    private volatile WebhookSubscription[] _all = [];
    private volatile bool _loaded;
    private long _loadedAt;
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WebhookSubscriptions(IAnalyticsStore store, IOptions<RequestAnalyticsOptions> options, TimeProvider timeProvider, ILogger<WebhookSubscriptions> logger)
    {
        Store = store as IWebhookStore;
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

    /// <summary>
    /// Adds the messages of a batch: one per subscription that wants it, for each failed request and each custom event.
    /// Called by the writer only, on every attempt to write the batch; <see cref="BatchCommitted"/> then keeps the
    /// counts toward <see cref="WebhookOptions.MaxRequestFailedPerMinute"/>, so a retried batch does not count twice.
    /// </summary>
    public void AddMessages(AnalyticsBatch batch, IReadOnlyList<RequestRecord> failedRequests)
    {
        _failedInBatch.Clear();
        foreach (var (id, counted) in _failedPerMinute)
        {
            _failedInBatch[id] = counted;
        }

        var subscriptions = _all;
        if (subscriptions.Length == 0)
        {
            return;
        }

        var now = _timeProvider.GetUtcNow();
        foreach (var request in failedRequests)
        {
            byte[]? payload = null;
            foreach (var subscription in subscriptions)
            {
                if (subscription.Wants(WebhookEventTypes.RequestFailed) && UnderFailedCap(subscription.Id, request.Timestamp))
                {
                    payload ??= WebhookPayloads.RequestFailed(request);
                    batch.WebhookMessageList.Add(NewMessage(subscription.Id, WebhookEventTypes.RequestFailed, payload, now));
                }
            }
        }

        foreach (var analyticsEvent in batch.Events)
        {
            byte[]? payload = null;
            foreach (var subscription in subscriptions)
            {
                if (subscription.Wants(WebhookEventTypes.EventTracked, analyticsEvent.Name))
                {
                    payload ??= WebhookPayloads.EventTracked(analyticsEvent);
                    batch.WebhookMessageList.Add(NewMessage(subscription.Id, WebhookEventTypes.EventTracked, payload, now));
                }
            }
        }
    }

    /// <summary>Makes the messages of one event for every subscription that wants its type.</summary>
    public List<WebhookMessage> CreateMessages(string eventType, byte[] payload)
    {
        var now = _timeProvider.GetUtcNow();
        var messages = new List<WebhookMessage>();
        foreach (var subscription in _all)
        {
            if (subscription.Wants(eventType))
            {
                messages.Add(NewMessage(subscription.Id, eventType, payload, now));
            }
        }

        return messages;
    }

    public static WebhookMessage NewMessage(string subscriptionId, string eventType, byte[] payload, DateTimeOffset now) => new()
    {
        // Time-ordered, so the outbox's primary key grows with time; 'msg_' as in the Standard Webhooks examples.
        Id = "msg_" + Guid.CreateVersion7(now).ToString("N"),
        SubscriptionId = subscriptionId,
        EventType = eventType,
        Payload = payload,
        CreatedAt = now,
        NextAttemptAt = now,
    };

    /// <summary>For the writer, once the batch that <see cref="AddMessages"/> last filled is committed.</summary>
    public void BatchCommitted()
    {
        _failedPerMinute.Clear();
        foreach (var (id, counted) in _failedInBatch)
        {
            _failedPerMinute[id] = counted;
        }
    }

    private bool UnderFailedCap(string subscriptionId, DateTimeOffset time)
    {
        var minute = time.ToUnixTimeSeconds() / 60;
        var (seen, count) = _failedInBatch.GetValueOrDefault(subscriptionId);
        count = seen == minute ? count + 1 : 1;
        _failedInBatch[subscriptionId] = (minute, count);
        if (count == _options.MaxRequestFailedPerMinute + 1)
        {
            LogFailedCapReached(_logger, subscriptionId, _options.MaxRequestFailedPerMinute);
        }

        return count <= _options.MaxRequestFailedPerMinute;
    }

    /// <summary>Wakes the dispatcher: new messages are in the outbox.</summary>
    public void Notify() => Interlocked.Exchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next <see cref="Notify"/>.</summary>
    public Task WaitForNotifyAsync() => Volatile.Read(ref _signal).Task;

    [LoggerMessage(EventId = 50, EventName = "WebhookFailedCapReached", Level = LogLevel.Warning,
        Message = "More than {Max} failed requests this minute: further request.failed webhooks to '{Subscription}' are not sent until the next minute (RequestAnalytics:Webhooks:MaxRequestFailedPerMinute).")]
    private static partial void LogFailedCapReached(ILogger logger, string subscription, int max);

    [LoggerMessage(EventId = 51, EventName = "WebhookDeclaredIdTaken", Level = LogLevel.Warning,
        Message = "The webhook subscription '{Id}' declared in options is not used: a subscription created through the API has that id.")]
    private static partial void LogDeclaredIdTaken(ILogger logger, string id);
}
