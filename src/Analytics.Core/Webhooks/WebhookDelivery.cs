using Analytics.Storage;

namespace Analytics.Webhooks;

/// <summary>
/// What <see cref="WebhookAttemptHandler"/> needs to make each attempt of one delivery: the message, the keys to sign it with, and
/// the log the attempts are written to. Travels in <see cref="HttpRequestMessage.Options"/>.
/// </summary>
internal sealed class WebhookDelivery(WebhookMessage message, IReadOnlyList<byte[]> keys)
{
    public static readonly HttpRequestOptionsKey<WebhookDelivery> Key = new("Analytics.Webhooks.Delivery");

    public WebhookMessage Message { get; } = message;

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
