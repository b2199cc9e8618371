namespace Analytics.Webhooks;

/// <summary>
/// When webhook deliveries are tried: a few quick attempts in one delivery (Polly, in process), then long delays
/// scheduled through the outbox, which survive restarts. Replaceable in DI so that tests can shrink every delay.
/// </summary>
internal sealed class WebhookDeliveryPolicy
{
    public static readonly WebhookDeliveryPolicy Default = new();

    /// <summary>
    /// Gets the delays after each failed delivery; when they run out, the message fails. 5 s, 5 min, 30 min, 2 h, 5 h,
    /// 10 h, 10 h: about 28 hours in all.
    /// </summary>
    public IReadOnlyList<TimeSpan> Schedule { get; init; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>Gets the quick retries within one delivery, after its first attempt.</summary>
    public int QuickRetries { get; init; } = 2;

    /// <summary>Gets the base of the quick retries' exponential backoff (with jitter).</summary>
    public TimeSpan QuickDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the longest <c>Retry-After</c> waited for in process; a longer one ends the delivery and the outbox waits instead.</summary>
    public TimeSpan MaxQuickRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how long one HTTP attempt may take.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets how long a claimed message stays out of other dispatchers' reach. Longer than the longest delivery can take
    /// (3 attempts of 10 s and two waits of at most 30 s), so that a message is sent twice only when its process died.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets how often the outbox is looked at when nothing signalled new messages (retries coming due, other instances'
    /// messages), while there is at least one subscription; with none, it is looked at when the subscriptions are reloaded (every 30 s).
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets the most messages sent at once: the dispatcher's delivery slots. Each holds one HTTP request (and a pooled
    /// connection) for at most a delivery's longest run; no one subscription gets more than
    /// <see cref="WebhookOptions.MaxConcurrentDeliveriesPerSubscription"/> of them.
    /// </summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>
    /// Gets the wait before the next delivery after <paramref name="deliveries"/> failed ones, or <see langword="null"/>
    /// when the message is to be given up. A <c>Retry-After</c> longer than the scheduled wait is honoured, up to the
    /// longest wait of the schedule.
    /// </summary>
    public TimeSpan? NextDelay(int deliveries, TimeSpan? retryAfter)
    {
        if (deliveries < 1 || deliveries > Schedule.Count)
        {
            return null;
        }

        var delay = Schedule[deliveries - 1];
        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked < Schedule.Max() ? asked : Schedule.Max();
        }

        return delay;
    }
}
