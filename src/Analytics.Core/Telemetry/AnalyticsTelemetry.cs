namespace Analytics;

/// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> whose spans show the library's background work.</summary>
/// <remarks>
/// Listen to it with OpenTelemetry's <c>.WithTracing(t =&gt; t.AddSource(AnalyticsTelemetry.ActivitySourceName))</c>.
/// Spans are started only while something listens, and never on the request path:
/// <list type="bullet">
/// <item><c>analytics.batch.write</c>: one attempt to write a batch in one store transaction (the store client's own
/// spans nest under it). Attributes <c>analytics.batch.records</c>, <c>analytics.batch.attempt</c> and
/// <c>analytics.batch.outcome</c> (<c>written</c>, <c>retrying</c>, <c>abandoned</c>); a failed attempt has status Error,
/// <c>error.type</c> and the exception as an event.</item>
/// <item><c>analytics.webhook.deliver</c>: one delivery of an outbox message, quick retries included (the HTTP client's
/// spans nest under it). Attributes <c>analytics.webhook.subscription.id</c>, <c>analytics.webhook.event_type</c>,
/// <c>analytics.webhook.message.id</c>, <c>analytics.webhook.outcome</c> (<c>delivered</c>, <c>retrying</c>,
/// <c>failed</c>, <c>gone</c>, <c>abandoned</c>, <c>interrupted</c>), <c>analytics.webhook.attempts</c>,
/// <c>server.address</c> and <c>http.response.status_code</c>; anything but <c>delivered</c> has status Error and
/// <c>error.type</c>.</item>
/// <item><c>analytics.alert.evaluate</c>: one pass over the enabled alert rules. Attributes <c>analytics.alert.rules</c>
/// (rules evaluated) and <c>analytics.alert.transitions</c> (rules that triggered or resolved).</item>
/// </list>
/// </remarks>
public static class AnalyticsTelemetry
{
    /// <summary>The activity source name, <c>Analytics.RequestAnalytics</c>; the same as <see cref="AnalyticsMeter.Name"/>.</summary>
    public const string ActivitySourceName = "Analytics.RequestAnalytics";
}
