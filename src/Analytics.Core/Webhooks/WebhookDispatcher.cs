using System.Diagnostics;
using Analytics.Storage;
using Analytics.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Webhooks;

/// <summary>
/// Sends what the outbox holds: claims due messages (leased, so a crash only delays them), delivers each through the
/// webhook client (quick retries inside), and records the outcome with every attempt. Only 2xx is success; 410 Gone
/// disables the subscription; any other failure is tried again on <see cref="WebhookDeliveryPolicy.Schedule"/>, then given up.
/// </summary>
/// <remarks>
/// Deliveries run in <see cref="WebhookDeliveryPolicy.MaxConcurrency"/> slots, refilled as each one ends, and no
/// subscription holds more than <see cref="WebhookOptions.MaxConcurrentDeliveriesPerSubscription"/> of them: the claim
/// leaves that subscription's other messages in the outbox, so a receiver that never answers slows only its own.
/// A completion is fenced by its claim's token: one that comes after the lease ran out and another dispatcher claimed
/// the message is dropped by the store, logged and counted as <c>superseded</c>.
/// </remarks>
internal sealed partial class WebhookDispatcher : BackgroundService
{
    internal const string UnreadableSecret =
        "Not sent: the subscription's signing secret cannot be unprotected with this host's Data Protection key ring.";

    private readonly WebhookSubscriptions _subscriptions;
    private readonly WebhookOutboxSignal _outbox;
    private readonly IHttpClientFactory _clients;
    private readonly WebhookDeliveryPolicy _policy;
    private readonly WebhookSecretProtection _secrets;
    private readonly WebhookBodies _bodies;
    private readonly AnalyticsMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _maxPerSubscription;

    // The slots: deliveries running and, by subscription, how many of them are its. Guarded by _slotsLock; a delivery
    // that ends completes _slotFreed (and replaces it), which wakes the loop to claim again.
    private readonly Lock _slotsLock = new();
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private int _running;
    private TaskCompletionSource _slotFreed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WebhookDispatcher(
        WebhookSubscriptions subscriptions,
        WebhookOutboxSignal outbox,
        IHttpClientFactory clients,
        WebhookDeliveryPolicy policy,
        WebhookSecretProtection secrets,
        WebhookBodies bodies,
        AnalyticsMetrics metrics,
        IOptions<RequestAnalyticsOptions> options,
        TimeProvider timeProvider,
        ILogger<WebhookDispatcher> logger)
    {
        _subscriptions = subscriptions;
        _outbox = outbox;
        _clients = clients;
        _policy = policy;
        _secrets = secrets;
        _bodies = bodies;
        _metrics = metrics;
        _maxPerSubscription = options.Value.Webhooks.MaxConcurrentDeliveriesPerSubscription;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_subscriptions.Store is not { } store)
        {
            return; // the store keeps no outbox: webhooks are off
        }

        Activity.Current = null; // each delivery is a trace of its own, not part of whatever span started the host

        while (!stoppingToken.IsCancellationRequested)
        {
            // Both taken before looking, so that a message queued or a slot freed meanwhile is not missed.
            var notified = _outbox.WaitAsync();
            var freed = SlotFreed();
            try
            {
                await StartDueAsync(store, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogOutboxFailed(_logger, ex);
            }

            try
            {
                // Every slot busy: only a delivery ending can let more out. Otherwise whatever was due is out (or held back
                // by its subscription's limit): wait for new messages, a slot, or the next look at the outbox.
                var wait = FreeSlots() == 0
                    ? freed.WaitAsync(stoppingToken)
                    : Task.WhenAny(notified, freed, Task.Delay(IdleWait(), _timeProvider, stoppingToken));
                await wait.ConfigureAwait(false);
                stoppingToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Deliveries see the stop too and hand their messages back; the host waits for them here.
        while (true)
        {
            var freed = SlotFreed();
            if (FreeSlots() == _policy.MaxConcurrency)
            {
                break;
            }

            await freed.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// How long to wait for a notification before looking at the outbox again. Messages queued in this process notify
    /// (the writer, the alert evaluator, the API's test delivery); the poll finds retries coming due and messages queued
    /// by other instances of a shared store. With no subscription at all nothing can come due, so the outbox is looked at
    /// only as often as the subscriptions are reloaded: an idle app then does not take the store's write lock every second.
    /// </summary>
    internal TimeSpan IdleWait() => _subscriptions.All.Count == 0 ? WebhookSubscriptions.RefreshInterval : _policy.PollInterval;

    /// <summary>Sends one round of due messages and waits for their deliveries to end; returns how many were claimed.</summary>
    internal async Task<int> DispatchDueAsync(IWebhookStore store, CancellationToken cancellationToken)
    {
        var started = await StartDueAsync(store, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(started).ConfigureAwait(false);
        return started.Count;
    }

    /// <summary>Claims as many due messages as there are free slots and starts delivering them; returns their deliveries.</summary>
    internal async Task<IReadOnlyList<Task>> StartDueAsync(IWebhookStore store, CancellationToken cancellationToken)
    {
        await _subscriptions.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        WebhookClaimRequest request;
        lock (_slotsLock)
        {
            var free = _policy.MaxConcurrency - _running;
            if (free <= 0)
            {
                return [];
            }

            // No more than can be sent at once: every message claimed starts now, so each is done well within its lease
            // (which covers one delivery's longest run), and no other dispatcher can take it while it is still being sent.
            request = new WebhookClaimRequest
            {
                Now = now,
                LeaseUntil = now + _policy.Lease,
                MaxMessages = free,
                MaxPerSubscription = _maxPerSubscription,
                InFlight = new Dictionary<string, int>(_inFlight, StringComparer.Ordinal),
            };
        }

        // The claim itself is not cancelled: a claim the store made but this process never saw would wait out its lease.
        var due = await store.ClaimWebhookMessagesAsync(request, CancellationToken.None).ConfigureAwait(false);
        var started = new List<Task>(due.Count);
        foreach (var message in due)
        {
            started.Add(RunInSlotAsync(store, message, cancellationToken));
        }

        return started;
    }

    private int FreeSlots()
    {
        lock (_slotsLock)
        {
            return _policy.MaxConcurrency - _running;
        }
    }

    /// <summary>Gets a task that completes when the next delivery ends.</summary>
    private Task SlotFreed()
    {
        lock (_slotsLock)
        {
            return _slotFreed.Task;
        }
    }

    /// <summary>Takes a slot for the message's subscription, delivers it, and gives the slot back.</summary>
    private async Task RunInSlotAsync(IWebhookStore store, WebhookMessage message, CancellationToken stoppingToken)
    {
        lock (_slotsLock)
        {
            _running++;
            _inFlight[message.SubscriptionId] = _inFlight.GetValueOrDefault(message.SubscriptionId) + 1;
        }

        try
        {
            await DeliverOrHandBackAsync(store, message, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            TaskCompletionSource freed;
            lock (_slotsLock)
            {
                _running--;
                if (--_inFlight[message.SubscriptionId] == 0)
                {
                    _inFlight.Remove(message.SubscriptionId);
                }

                freed = _slotFreed;
                _slotFreed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            freed.TrySetResult();
        }
    }

    /// <summary>
    /// Delivers one message; if anything unexpected fails on the way (the store, a logger), hands the message back
    /// for a new attempt shortly instead of leaving it leased, and lets the other messages of the round go on.
    /// </summary>
    private async Task DeliverOrHandBackAsync(IWebhookStore store, WebhookMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await DeliverAsync(store, message, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            try
            {
                LogOutboxFailed(_logger, ex);
                await CompleteAsync(store, message with { NextAttemptAt = _timeProvider.GetUtcNow() + _policy.PollInterval }, [])
                    .ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The store is failing too: the lease hands the message back when it runs out.
            }
        }
    }
}
