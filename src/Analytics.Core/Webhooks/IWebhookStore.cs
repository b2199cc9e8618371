namespace Analytics.Storage;

/// <summary>
/// The webhook capability of a store: subscriptions, the durable outbox and the deliveries log. A store that implements
/// it also writes <see cref="AnalyticsBatch.WebhookMessages"/> in the transaction of <see cref="IAnalyticsStore.WriteBatchAsync"/>,
/// so that a message exists exactly when the data that produced it does. Every implementation passes the same
/// conformance suite.
/// </summary>
/// <remarks>
/// Signing secrets reach the store already protected (<see cref="WebhookSubscription.Secrets"/>: <c>dp:…</c>), and are
/// unprotected by the library only to sign a message: a store keeps and returns them verbatim, and needs no encryption of
/// its own.
/// </remarks>
public interface IWebhookStore
{
    /// <summary>Reads every subscription, in id order.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<WebhookSubscription>> ListWebhookSubscriptionsAsync(CancellationToken cancellationToken);

    /// <summary>Reads one subscription, or <see langword="null"/> when there is none with that id.</summary>
    /// <param name="id">The subscription's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<WebhookSubscription?> GetWebhookSubscriptionAsync(string id, CancellationToken cancellationToken);

    /// <summary>Adds a subscription; returns <see langword="false"/>, changing nothing, when its id is taken.</summary>
    /// <param name="subscription">The subscription.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> AddWebhookSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a subscription (every field but the id and the creation time); returns <see langword="false"/> when
    /// there is none with its id.
    /// </summary>
    /// <param name="subscription">The subscription.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> UpdateWebhookSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a subscription and its deliveries log; returns <see langword="false"/> when there was none. Its pending
    /// messages fail when they come due.
    /// </summary>
    /// <param name="id">The subscription's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> DeleteWebhookSubscriptionAsync(string id, CancellationToken cancellationToken);

    /// <summary>Adds messages to the outbox, all or none.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task EnqueueWebhookMessagesAsync(IReadOnlyList<WebhookMessage> messages, CancellationToken cancellationToken);

    /// <summary>
    /// Takes up to <paramref name="maxMessages"/> pending messages due at <paramref name="now"/>, oldest due first, and
    /// moves their next attempt to <paramref name="leaseUntil"/>: if the process dies while sending them, they come due
    /// again then, and no other dispatcher takes them meanwhile.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="leaseUntil">When the messages come due again unless completed first.</param>
    /// <param name="maxMessages">The most messages to take; positive.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<WebhookMessage>> ClaimWebhookMessagesAsync(
        DateTimeOffset now,
        DateTimeOffset leaseUntil,
        int maxMessages,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records the outcome of a delivery in one transaction: the message's new state, attempt counts and next attempt
    /// time (from <paramref name="message"/>, matched by id), and its attempts appended to the deliveries log.
    /// </summary>
    /// <param name="message">The message as it is after the delivery.</param>
    /// <param name="attempts">The HTTP attempts the delivery made; may be empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task CompleteWebhookMessageAsync(WebhookMessage message, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken);

    /// <summary>Reads the message with that id, or <see langword="null"/>.</summary>
    /// <param name="id">The message's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<WebhookMessage?> GetWebhookMessageAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a subscription's deliveries log, newest first, <paramref name="limit"/> entries with an id below
    /// <paramref name="before"/>.
    /// </summary>
    /// <param name="subscriptionId">The subscription's id.</param>
    /// <param name="limit">The most entries; positive.</param>
    /// <param name="before">Only entries with a smaller id (the previous page's last), or <see langword="null"/> for the newest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<WebhookAttempt>> ReadWebhookAttemptsAsync(string subscriptionId, int limit, long? before, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes at most <paramref name="maxRows"/> delivered or failed messages created before <paramref name="cutoff"/>,
    /// and log entries older than it. Pending messages are never deleted. Called like <see cref="IAnalyticsStore.PurgeRawAsync"/>.
    /// </summary>
    /// <param name="cutoff">Rows strictly older than this are deleted.</param>
    /// <param name="maxRows">The most rows to delete in this call; positive.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many rows were deleted.</returns>
    Task<int> PurgeWebhooksAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken);
}
