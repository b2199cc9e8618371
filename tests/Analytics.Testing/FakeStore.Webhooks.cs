using Analytics.Storage;

namespace Analytics.Testing;

/// <summary><see cref="IWebhookStore"/>: subscriptions, the outbox and its leased claims, the deliveries log.</summary>
public partial class FakeStore
{
    Task<IReadOnlyList<WebhookSubscription>> IWebhookStore.ListWebhookSubscriptionsAsync(
        CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<WebhookSubscription>>([.. _subscriptions.Values]);
        }
    }

    Task<WebhookSubscription?> IWebhookStore.GetWebhookSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_subscriptions.GetValueOrDefault(id));
        }
    }

    Task<bool> IWebhookStore.AddWebhookSubscriptionAsync(
        WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_gate)
        {
            return Task.FromResult(_subscriptions.TryAdd(subscription.Id, subscription));
        }
    }

    Task<bool> IWebhookStore.UpdateWebhookSubscriptionAsync(
        WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(subscription.Id, out var stored))
            {
                return Task.FromResult(false);
            }

            _subscriptions[subscription.Id] = subscription with { CreatedAt = stored.CreatedAt };
            return Task.FromResult(true);
        }
    }

    Task<bool> IWebhookStore.DeleteWebhookSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _attempts.RemoveAll(a => a.SubscriptionId == id);
            return Task.FromResult(_subscriptions.Remove(id));
        }
    }

    Task IWebhookStore.EnqueueWebhookMessagesAsync(
        IReadOnlyList<WebhookMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        lock (_gate)
        {
            ThrowIfTaken(messages);
            _outbox.AddRange(messages);
        }

        return Task.CompletedTask;
    }

    Task<IReadOnlyList<WebhookMessage>> IWebhookStore.ClaimWebhookMessagesAsync(
        DateTimeOffset now, DateTimeOffset leaseUntil, int maxMessages, CancellationToken cancellationToken) =>
        ((IWebhookStore)this).ClaimWebhookMessagesAsync(
            new WebhookClaimRequest { Now = now, LeaseUntil = leaseUntil, MaxMessages = maxMessages }, cancellationToken);

    Task<IReadOnlyList<WebhookMessage>> IWebhookStore.ClaimWebhookMessagesAsync(
        WebhookClaimRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxMessages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxPerSubscription);
        lock (_gate)
        {
            // Oldest due first, no more of a subscription than its free slots; the lease moves each message's next
            // attempt, so no other claim takes it meanwhile, and the new token fences off the completions of older claims.
            var due = _outbox
                .Select((message, index) => (Message: message, Index: index))
                .Where(m => m.Message.State == WebhookMessageState.Pending && m.Message.NextAttemptAt <= request.Now)
                .OrderBy(m => m.Message.NextAttemptAt)
                .ThenBy(m => m.Index)
                .GroupBy(m => m.Message.SubscriptionId)
                .SelectMany(g => g.Take(Math.Max(0, request.MaxPerSubscription - request.InFlight.GetValueOrDefault(g.Key))))
                .OrderBy(m => m.Message.NextAttemptAt)
                .ThenBy(m => m.Index)
                .Take(request.MaxMessages)
                .ToList();
            foreach (var (message, index) in due)
            {
                _outbox[index] = message with { NextAttemptAt = request.LeaseUntil, ClaimToken = message.ClaimToken + 1 };
            }

            return Task.FromResult<IReadOnlyList<WebhookMessage>>([.. due.Select(m => _outbox[m.Index])]);
        }
    }

    Task IWebhookStore.CompleteWebhookMessageAsync(
        WebhookMessage message, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken) =>
        ((IWebhookStore)this).TryCompleteWebhookMessageAsync(message, attempts, cancellationToken);

    Task<bool> IWebhookStore.TryCompleteWebhookMessageAsync(
        WebhookMessage message, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(attempts);
        lock (_gate)
        {
            int index = _outbox.FindIndex(m => m.Id == message.Id);
            if (index < 0 || _outbox[index].ClaimToken != message.ClaimToken)
            {
                return Task.FromResult(false); // claimed again since, or gone: nothing is written, attempts included
            }

            _outbox[index] = _outbox[index] with
            {
                NextAttemptAt = message.NextAttemptAt,
                Attempts = message.Attempts,
                Deliveries = message.Deliveries,
                State = message.State,
            };
            _attempts.AddRange(attempts.Select(a => a with { Id = ++_lastAttemptId }));
            return Task.FromResult(true);
        }
    }

    Task<WebhookMessage?> IWebhookStore.GetWebhookMessageAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_outbox.Find(m => m.Id == id));
        }
    }

    Task<IReadOnlyList<WebhookAttempt>> IWebhookStore.ReadWebhookAttemptsAsync(
        string subscriptionId, int limit, long? before, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        lock (_gate)
        {
            IReadOnlyList<WebhookAttempt> log = [.. _attempts
                .Where(a => a.SubscriptionId == subscriptionId && a.Id < (before ?? long.MaxValue))
                .OrderByDescending(a => a.Id)
                .Take(limit)];
            return Task.FromResult(log);
        }
    }

    Task<int> IWebhookStore.PurgeWebhooksAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        lock (_gate)
        {
            // Pending messages are never deleted, however old: they count as created at the end of time.
            int deleted = RemoveOldest(
                _outbox, m => m.State == WebhookMessageState.Pending ? DateTimeOffset.MaxValue : m.CreatedAt, cutoff,
                maxRows);
            deleted += RemoveOldest(_attempts, a => a.Time, cutoff, maxRows - deleted);
            return Task.FromResult(deleted);
        }
    }
}
