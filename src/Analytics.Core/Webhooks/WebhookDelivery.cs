using Analytics.Storage;

namespace Analytics.Webhooks;

/// <summary>
/// What <see cref="WebhookAttemptHandler"/> needs to make each attempt of one delivery: the message, the body to send (the
/// message's payload, or its chat rendering), the keys to sign it with (none: not signed), and the log the attempts are
/// written to. Travels in <see cref="HttpRequestMessage.Options"/>.
/// </summary>
internal sealed class WebhookDelivery(WebhookMessage message, IReadOnlyList<byte[]> keys, byte[]? body = null)
{
    public static readonly HttpRequestOptionsKey<WebhookDelivery> Key = new("Analytics.Webhooks.Delivery");

    public WebhookMessage Message { get; } = message;

    /// <summary>Gets the bytes sent; the message's payload unless a chat format rendered it.</summary>
    public byte[] Body { get; } = body ?? message.Payload;

    /// <summary>Gets whether the attempts are signed: only Standard Webhooks messages are, with <see cref="Keys"/>.</summary>
    public bool Signed => Keys.Count > 0;

    public IReadOnlyList<byte[]> Keys { get; } = keys;

    public List<WebhookAttempt> Attempts { get; } = [];

    /// <summary>Gets or sets the last <c>Retry-After</c> a receiver asked for, for the outbox to honour.</summary>
    public TimeSpan? RetryAfter { get; set; }

    /// <summary>Gets the dispatcher's stopping token: an attempt cancelled while it is not set timed out.</summary>
    public CancellationToken Stopping { get; init; }

    /// <summary>Gets or sets the error of the last attempt that got no response.</summary>
    public Exception? LastError { get; set; }

    public int NextAttemptNumber => Message.Attempts + Attempts.Count + 1;
}
