namespace Analytics.Storage;

/// <summary>
/// What a store supports beyond <see cref="IAnalyticsStore"/>, declared by the store itself through
/// <see cref="IAnalyticsStore.Capabilities"/>. Request analytics reads it once, when the host starts, and logs each
/// capability that is missing with the feature it turns off; it never probes a store for one.
/// </summary>
/// <example>
/// A store that keeps error groups and webhooks, and nothing else:
/// <code>public StoreCapabilities Capabilities => new() { Errors = this, Webhooks = this };</code>
/// </example>
public sealed class StoreCapabilities
{
    /// <summary>Gets a store's declaration that it supports nothing beyond <see cref="IAnalyticsStore"/>.</summary>
    public static StoreCapabilities None { get; } = new();

    /// <summary>Gets the error groups (resolve, regressions, occurrences), or <see langword="null"/>: error groups then show counts only.</summary>
    public IErrorStore? Errors { get; init; }

    /// <summary>Gets the alert rules and their history, or <see langword="null"/>: alerts are then off.</summary>
    public IAlertStore? Alerts { get; init; }

    /// <summary>Gets the webhook subscriptions, outbox and deliveries log, or <see langword="null"/>: webhooks are then off.</summary>
    public IWebhookStore? Webhooks { get; init; }

    /// <summary>Gets the process-health rollups, or <see langword="null"/>: health metrics are then not kept.</summary>
    public IHealthMetricsStore? HealthMetrics { get; init; }

    /// <summary>
    /// Gets the request counts summed by the database, or <see langword="null"/>: the heatmap and the status-code
    /// breakdown then add up rollup rows themselves, with the same result.
    /// </summary>
    public IRequestCountStore? RequestCounts { get; init; }

    /// <summary>
    /// Gets the per-consumer rollups, or <see langword="null"/>: consumers are then kept on raw rows only, and the
    /// consumers list and the <c>consumer</c> filter of rollup-based reads are unavailable.
    /// </summary>
    public IConsumerRollupStore? Consumers { get; init; }

    /// <summary>Gets where health-check samples are kept for uptime, or <see langword="null"/> when the store keeps none.</summary>
    public IUptimeStore? Uptime { get; init; }

    /// <summary>
    /// Gets the election of one instance among several sharing the store, or <see langword="null"/> for a store that
    /// belongs to one process, which then evaluates alerts and purges expired data itself.
    /// </summary>
    public IClusterLeadership? Leadership { get; init; }

    /// <summary>
    /// Gets the raw rows committed ahead of their rollups, or <see langword="null"/>: every batch's raw rows and rollups
    /// are then written in one transaction, and a high request rate upserts the rollups once per
    /// <see cref="RequestAnalyticsOptions.BatchSize"/> raw rows.
    /// </summary>
    public IRawAheadStore? RawAhead { get; init; }
}
