using Analytics.Storage;

namespace Analytics.Webhooks;

/// <summary>Makes outbox messages: one per subscription that wants an event.</summary>
internal static class WebhookMessageFactory
{
    /// <summary>Makes the messages of one event for every subscription that wants its type.</summary>
    public static List<WebhookMessage> ForEvent(
        IReadOnlyList<WebhookSubscription> subscriptions,
        string eventType,
        byte[] payload,
        DateTimeOffset now)
    {
        var messages = new List<WebhookMessage>();
        foreach (var subscription in subscriptions)
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
}
