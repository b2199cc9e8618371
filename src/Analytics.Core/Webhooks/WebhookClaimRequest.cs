namespace Analytics.Storage;

/// <summary>
/// What a dispatcher asks of <see cref="IWebhookStore.ClaimWebhookMessagesAsync(WebhookClaimRequest, CancellationToken)"/>:
/// the due messages it has free slots for, at most <see cref="MaxPerSubscription"/> in flight per subscription, so that
/// one receiver that never answers cannot hold every slot.
/// </summary>
public sealed record WebhookClaimRequest
{
    /// <summary>Gets the current time: messages due at or before it may be claimed.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Gets when the claimed messages come due again unless completed first.</summary>
    public required DateTimeOffset LeaseUntil { get; init; }

    /// <summary>Gets the most messages to take; positive.</summary>
    public required int MaxMessages { get; init; }

    /// <summary>
    /// Gets the most messages of one subscription in flight at once, those in <see cref="InFlight"/> included; positive.
    /// The default, <see cref="int.MaxValue"/>, sets no limit.
    /// </summary>
    public int MaxPerSubscription { get; init; } = int.MaxValue;

    /// <summary>
    /// Gets how many messages of each subscription the dispatcher is still delivering (by subscription id): a subscription
    /// with <c>n</c> here gets at most <see cref="MaxPerSubscription"/> − <c>n</c> more. Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, int> InFlight { get; init; } = new Dictionary<string, int>();
}
