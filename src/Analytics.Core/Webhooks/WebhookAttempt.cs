namespace Analytics.Storage;

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
