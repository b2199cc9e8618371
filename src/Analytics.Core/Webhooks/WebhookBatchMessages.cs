using Analytics.Pipeline;
using Analytics.Storage;

namespace Analytics.Webhooks;

/// <summary>
/// The webhook messages of a batch: before each attempt at writing it, one message per subscription that wants it for
/// each failed request (under <see cref="RequestFailedCap"/>) and each custom event, written in the batch's transaction;
/// once it is committed, the cap's counts are kept and the dispatcher is woken.
/// </summary>
internal sealed class WebhookBatchMessages(
    WebhookSubscriptions subscriptions, RequestFailedCap cap, WebhookOutboxSignal signal, TimeProvider timeProvider) : IBatchStep, IBatchListener
{
    public async ValueTask BeforeWriteAsync(AnalyticsBatch batch, CancellationToken cancellationToken)
    {
        if (subscriptions.Store is null)
        {
            return; // the store has no outbox: webhooks are off
        }

        // Built afresh on each attempt, from the subscriptions in effect, so a retried batch queues each message once.
        await subscriptions.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        batch.ClearWebhookMessages();
        cap.BeginBatch();
        var all = subscriptions.All;
        if (all.Count == 0)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        foreach (var request in batch.Requests)
        {
            if (!request.IsError)
            {
                continue; // failed requests are always kept raw, so every one of them is here
            }

            byte[]? payload = null;
            foreach (var subscription in all)
            {
                if (subscription.Wants(WebhookEventTypes.RequestFailed) && cap.TryCount(subscription.Id, request.Timestamp))
                {
                    payload ??= WebhookPayloads.RequestFailed(request);
                    batch.AddWebhookMessage(WebhookMessageFactory.NewMessage(subscription.Id, WebhookEventTypes.RequestFailed, payload, now));
                }
            }
        }

        foreach (var analyticsEvent in batch.Events)
        {
            byte[]? payload = null;
            foreach (var subscription in all)
            {
                if (subscription.Wants(WebhookEventTypes.EventTracked, analyticsEvent.Name))
                {
                    payload ??= WebhookPayloads.EventTracked(analyticsEvent);
                    batch.AddWebhookMessage(WebhookMessageFactory.NewMessage(subscription.Id, WebhookEventTypes.EventTracked, payload, now));
                }
            }
        }
    }

    public void Committed(in CommittedBatch batch)
    {
        if (subscriptions.Store is null)
        {
            return;
        }

        cap.Commit();
        if (batch.Batch.WebhookMessages.Count > 0)
        {
            signal.Notify();
        }
    }
}
