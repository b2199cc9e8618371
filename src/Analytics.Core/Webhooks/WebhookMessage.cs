namespace Analytics.Storage;

/// <summary>One message to one subscription, as the outbox keeps it from the moment it is queued until it is delivered or given up.</summary>
public sealed record WebhookMessage
{
    /// <summary>Gets the id, sent as the <c>webhook-id</c> header: the same on every attempt, so receivers can drop duplicates.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the id of the subscription it goes to.</summary>
    public required string SubscriptionId { get; init; }

    /// <summary>Gets the event type (see <see cref="Webhooks.WebhookEventTypes"/>).</summary>
    public required string EventType { get; init; }

    /// <summary>Gets the body: UTF-8 JSON <c>{ type, timestamp, data }</c>, signed and sent byte for byte.</summary>
    public required byte[] Payload { get; init; }

    /// <summary>Gets when the message was queued.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the next delivery may start.</summary>
    public required DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>Gets how many HTTP attempts were made so far, over every delivery.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets how many deliveries (each of one or more quick attempts) were made so far; it picks the next long delay.</summary>
    public int Deliveries { get; init; }

    /// <summary>Gets the state.</summary>
    public WebhookMessageState State { get; init; }

    /// <summary>
    /// Gets the fencing token of the claim that handed the message out: the store adds 1 to the stored token at every
    /// claim and returns the new value, and a completion applies only while the stored token still equals the one it
    /// carries (see <see cref="IWebhookStore.TryCompleteWebhookMessageAsync"/>). 0 for a message never claimed, which is
    /// also what rows stored before there were tokens hold. Stores ignore it when a message is enqueued.
    /// </summary>
    public long ClaimToken { get; init; }
}
