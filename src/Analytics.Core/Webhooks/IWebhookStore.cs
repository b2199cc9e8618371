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
    /// again then, and no other dispatcher takes them meanwhile. Each claimed message's stored
    /// <see cref="WebhookMessage.ClaimToken"/> goes up by 1, and the message is returned with the new token.
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
    /// Claims as <see cref="ClaimWebhookMessagesAsync(DateTimeOffset, DateTimeOffset, int, CancellationToken)"/> does, but
    /// no more of one subscription than <see cref="WebhookClaimRequest.MaxPerSubscription"/> less those it has
    /// <see cref="WebhookClaimRequest.InFlight"/>: the messages over that limit are left as they are, and the claim takes
    /// other subscriptions' messages instead, oldest due first. The dispatcher calls this one.
    /// </summary>
    /// <remarks>
    /// The default implementation, for stores written before the limit existed, claims with the overload above and hands
    /// the messages over the limit back at once (completed unchanged but due at <see cref="WebhookClaimRequest.Now"/>):
    /// correct, but it writes them twice. A store should apply the limit in its claim query instead, as the built-in ones do.
    /// </remarks>
    /// <param name="request">The time, the lease, and the limits.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    async Task<IReadOnlyList<WebhookMessage>> ClaimWebhookMessagesAsync(WebhookClaimRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxPerSubscription);
        var claimed = await ClaimWebhookMessagesAsync(request.Now, request.LeaseUntil, request.MaxMessages, cancellationToken).ConfigureAwait(false);
        var taken = new Dictionary<string, int>(request.InFlight, StringComparer.Ordinal);
        var kept = new List<WebhookMessage>(claimed.Count);
        foreach (var message in claimed)
        {
            var count = taken.GetValueOrDefault(message.SubscriptionId);
            if (count < request.MaxPerSubscription)
            {
                taken[message.SubscriptionId] = count + 1;
                kept.Add(message);
            }
            else
            {
                // Not cancelled: a message left leased would wait out its lease.
                await CompleteWebhookMessageAsync(message with { NextAttemptAt = request.Now }, [], CancellationToken.None).ConfigureAwait(false);
            }
        }

        return kept;
    }

    /// <summary>
    /// Records the outcome of a delivery in one transaction: the message's new state, attempt counts and next attempt
    /// time (from <paramref name="message"/>, matched by id), and its attempts appended to the deliveries log. Fenced by
    /// the claim: when the stored <see cref="WebhookMessage.ClaimToken"/> is no longer the one
    /// <paramref name="message"/> carries (the lease ran out and another dispatcher claimed the message since), nothing
    /// is written, attempts included. <see cref="TryCompleteWebhookMessageAsync"/> says which happened.
    /// </summary>
    /// <param name="message">The message as it is after the delivery, with the token of the claim that handed it out.</param>
    /// <param name="attempts">The HTTP attempts the delivery made; may be empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task CompleteWebhookMessageAsync(WebhookMessage message, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken);

    /// <summary>
    /// Completes a message as <see cref="CompleteWebhookMessageAsync"/> does, and returns whether the completion applied:
    /// <see langword="false"/> when it was fenced off (the stored <see cref="WebhookMessage.ClaimToken"/> differs from the
    /// one <paramref name="message"/> carries, or there is no message with its id) and nothing was written. The dispatcher
    /// calls this one, to log and count a completion that came too late.
    /// </summary>
    /// <remarks>
    /// A new member with a default, so that stores written before it still compile: the default calls
    /// <see cref="CompleteWebhookMessageAsync"/> and returns <see langword="true"/>, which is right only for a store that
    /// cannot tell. A store implements this one and has <see cref="CompleteWebhookMessageAsync"/> call it; the
    /// conformance suite checks that a fenced-off completion returns <see langword="false"/>.
    /// </remarks>
    /// <param name="message">The message as it is after the delivery, with the token of the claim that handed it out.</param>
    /// <param name="attempts">The HTTP attempts the delivery made; may be empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the outcome and the attempts were written.</returns>
    async Task<bool> TryCompleteWebhookMessageAsync(
        WebhookMessage message,
        IReadOnlyList<WebhookAttempt> attempts,
        CancellationToken cancellationToken)
    {
        await CompleteWebhookMessageAsync(message, attempts, cancellationToken).ConfigureAwait(false);
        return true;
    }

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
