namespace Analytics.Telemetry;

/// <summary>
/// Attribute names of the library's spans and measurements. OpenTelemetry's own names where one means the same thing
/// (<c>error.type</c>, <c>http.response.status_code</c>, <c>server.address</c>); the rest under <c>analytics.</c>.
/// </summary>
internal static class TelemetryAttributes
{
    public const string ErrorType = "error.type";
    public const string HttpResponseStatusCode = "http.response.status_code";
    public const string ServerAddress = "server.address";

    public const string BatchRecords = "analytics.batch.records";
    public const string BatchAttempt = "analytics.batch.attempt";
    public const string BatchOutcome = "analytics.batch.outcome";

    public const string WebhookSubscriptionId = "analytics.webhook.subscription.id";
    public const string WebhookEventType = "analytics.webhook.event_type";
    public const string WebhookMessageId = "analytics.webhook.message.id";
    public const string WebhookOutcome = "analytics.webhook.outcome";
    public const string WebhookAttempts = "analytics.webhook.attempts";

    public const string AlertRules = "analytics.alert.rules";
    public const string AlertTransitions = "analytics.alert.transitions";
    public const string AlertState = "analytics.alert.state";

    public const string RollupGranularity = "analytics.rollup.granularity";
}
