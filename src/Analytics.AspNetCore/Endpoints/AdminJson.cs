using System.Text.Json.Serialization;
using Analytics.Alerts;
using Analytics.Storage;
using Analytics.Webhooks;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>A webhook subscription as the API shows it: never its secrets, except the new one in the answer that creates it.</summary>
internal sealed record WebhookSubscriptionView
{
    public required string Id { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyList<string> EventTypes { get; init; }

    public required IReadOnlyList<string> EventNames { get; init; }

    public required bool Enabled { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DisabledReason { get; init; }

    /// <summary>Gets how many secrets sign each message: 2 while rotating.</summary>
    public required int ActiveSecrets { get; init; }

    public required DefinitionSource Source { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets the secret, only in the answer that created it; it is never shown again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    public static WebhookSubscriptionView From(WebhookSubscription s, string? newSecret = null) => new()
    {
        Id = s.Id,
        Url = s.Url,
        EventTypes = s.EventTypes,
        EventNames = s.EventNames,
        Enabled = s.Enabled,
        DisabledReason = s.DisabledReason,
        ActiveSecrets = s.Secrets.Count,
        Source = s.Source,
        CreatedAt = s.CreatedAt,
        Secret = newSecret,
    };
}

/// <summary>The answer to <c>POST {prefix}/api/webhooks/{id}/test</c>.</summary>
internal sealed record WebhookTestQueued(string MessageId);

/// <summary>A page of a subscription's deliveries log, newest first; <c>next</c> is the <c>before</c> of the next page.</summary>
internal sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryView> Items, long? Next);

/// <summary>One attempt in the deliveries log. <c>duration</c> is in milliseconds.</summary>
internal sealed record WebhookDeliveryView
{
    public required long Id { get; init; }

    public required string MessageId { get; init; }

    public required string EventType { get; init; }

    public required int Attempt { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required double Duration { get; init; }

    public int? StatusCode { get; init; }

    public required bool Succeeded { get; init; }

    public string? Response { get; init; }

    public string? Error { get; init; }

    public static WebhookDeliveryView From(WebhookAttempt a) => new()
    {
        Id = a.Id,
        MessageId = a.MessageId,
        EventType = a.EventType,
        Attempt = a.Attempt,
        Time = a.Time,
        Duration = a.Duration.TotalMilliseconds,
        StatusCode = a.StatusCode,
        Succeeded = a.Succeeded,
        Response = a.Response,
        Error = a.Error,
    };
}

/// <summary>An alert rule and its state, as the API shows it.</summary>
internal sealed record AlertRuleView
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required AlertMetric Metric { get; init; }

    public string? Route { get; init; }

    public string? Method { get; init; }

    public string? EventName { get; init; }

    public required string Window { get; init; }

    public required AlertOperator Operator { get; init; }

    public required double Threshold { get; init; }

    public required bool Enabled { get; init; }

    public required DefinitionSource Source { get; init; }

    public required AlertRuleState State { get; init; }

    public DateTimeOffset? StateChangedAt { get; init; }

    public double? LastValue { get; init; }

    public static AlertRuleView From(AlertRule r) => new()
    {
        Id = r.Id,
        Name = r.Name,
        Metric = r.Metric,
        Route = r.Route,
        Method = r.Method,
        EventName = r.EventName,
        Window = AlertText.Window(r.Window),
        Operator = r.Operator,
        Threshold = r.Threshold,
        Enabled = r.Enabled,
        Source = r.Source,
        State = r.Firing ? AlertRuleState.Firing : AlertRuleState.Ok,
        StateChangedAt = r.FiringChangedAt,
        LastValue = r.LastValue,
    };
}

/// <summary>A page of the alert history, newest first.</summary>
internal sealed record AlertHistoryPage(IReadOnlyList<AlertHistoryView> Items, long? Next);

/// <summary>One change of an alert rule's state; the same fields as the <c>data</c> of <c>alert.triggered</c>/<c>alert.resolved</c>, plus the entry's id.</summary>
internal sealed record AlertHistoryView
{
    public required long Id { get; init; }

    public required AlertStateChange State { get; init; }

    public required string RuleId { get; init; }

    public required string Name { get; init; }

    public required AlertMetric Metric { get; init; }

    public string? Route { get; init; }

    public string? Method { get; init; }

    public string? EventName { get; init; }

    public required string Window { get; init; }

    public required AlertOperator Operator { get; init; }

    public required double Threshold { get; init; }

    public required double Value { get; init; }

    public required DateTimeOffset WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    public required DateTimeOffset Time { get; init; }

    public static AlertHistoryView From(AlertTransition t) => new()
    {
        Id = t.Id,
        State = t.Triggered ? AlertStateChange.Triggered : AlertStateChange.Resolved,
        RuleId = t.Rule.Id,
        Name = t.Rule.Name,
        Metric = t.Rule.Metric,
        Route = t.Rule.Route,
        Method = t.Rule.Method,
        EventName = t.Rule.EventName,
        Window = AlertText.Window(t.Rule.Window),
        Operator = t.Rule.Operator,
        Threshold = t.Rule.Threshold,
        Value = t.Value,
        WindowStart = t.WindowStart,
        WindowEnd = t.WindowEnd,
        Time = t.Time,
    };
}

/// <summary>The answer to the secret rotation endpoints; <c>secret</c> only when one was added.</summary>
internal sealed record WebhookSecrets(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret,
    int ActiveSecrets);

/// <summary>An alert rule's state as the API shows it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertRuleState>))]
internal enum AlertRuleState
{
    /// <summary>Within its threshold.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>Crossed its threshold and not yet back.</summary>
    [JsonStringEnumMemberName("firing")]
    Firing,
}

/// <summary>Which way an alert rule's state changed, as the history and the <c>alert.*</c> webhooks name it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertStateChange>))]
internal enum AlertStateChange
{
    /// <summary>The rule crossed its threshold (<c>alert.triggered</c>).</summary>
    [JsonStringEnumMemberName("triggered")]
    Triggered,

    /// <summary>The rule is back within its threshold (<c>alert.resolved</c>).</summary>
    [JsonStringEnumMemberName("resolved")]
    Resolved,
}
