namespace Analytics.Webhooks;

/// <summary>One message to one subscription, as the outbox keeps it from the moment it is queued until it is delivered or given up.</summary>
public sealed record WebhookMessage
{
    /// <summary>Gets the id, sent as the <c>webhook-id</c> header: the same on every attempt, so receivers can drop duplicates.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the id of the subscription it goes to.</summary>
    public required string SubscriptionId { get; init; }

    /// <summary>Gets the event type (see <see cref="WebhookEventTypes"/>).</summary>
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
}

/// <summary>Where a webhook message is in its life.</summary>
public enum WebhookMessageState
{
    /// <summary>Waiting for its next delivery.</summary>
    Pending,

    /// <summary>A receiver answered 2xx.</summary>
    Delivered,

    /// <summary>Given up: every delivery failed, the receiver answered 410 Gone, or the subscription is gone or disabled.</summary>
    Failed,
}

/// <summary>One HTTP attempt to deliver a message, as the deliveries log keeps it.</summary>
public sealed record WebhookAttempt
{
    /// <summary>Gets the log entry's id, assigned by the store; newer entries have larger ids.</summary>
    public long Id { get; init; }

    /// <summary>Gets the message's id (the <c>webhook-id</c>).</summary>
    public required string MessageId { get; init; }

    /// <summary>Gets the subscription's id.</summary>
    public required string SubscriptionId { get; init; }

    /// <summary>Gets the message's event type.</summary>
    public required string EventType { get; init; }

    /// <summary>Gets the attempt's number for this message, from 1.</summary>
    public required int Attempt { get; init; }

    /// <summary>Gets when the attempt started.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets how long it took, up to the response headers and the first 1 KB of its body.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Gets the response's status code, or <see langword="null"/> when none came.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets the first 1 KB of the response body, or <see langword="null"/>.</summary>
    public string? Response { get; init; }

    /// <summary>Gets what went wrong when no response came (refused address, timeout, connection error), or <see langword="null"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Gets whether the receiver answered 2xx.</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;
}
