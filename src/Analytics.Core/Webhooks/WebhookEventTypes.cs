namespace Analytics.Webhooks;

/// <summary>The event types a webhook subscription can ask for; the <c>type</c> of every payload is one of these.</summary>
public static class WebhookEventTypes
{
    /// <summary>A recorded request failed: status 500 or more, or the pipeline threw.</summary>
    public const string RequestFailed = "request.failed";

    /// <summary>A custom event was tracked; a subscription may narrow this to some event names.</summary>
    public const string EventTracked = "event.tracked";

    /// <summary>An alert rule crossed its threshold.</summary>
    public const string AlertTriggered = "alert.triggered";

    /// <summary>An alert rule that had triggered is back within its threshold.</summary>
    public const string AlertResolved = "alert.resolved";

    /// <summary>A test message sent by <c>POST {prefix}/api/webhooks/{id}/test</c>, whatever the subscription's event types.</summary>
    public const string Test = "webhook.test";

    /// <summary>Gets every event type, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = [RequestFailed, EventTracked, AlertTriggered, AlertResolved, Test];

    /// <summary>Tells whether <paramref name="eventType"/> is one of <see cref="All"/> (exact, case-sensitive).</summary>
    /// <param name="eventType">The value to check.</param>
    /// <returns><see langword="true"/> for a known event type.</returns>
    public static bool IsKnown(string? eventType) => eventType is not null && All.Contains(eventType, StringComparer.Ordinal);
}
