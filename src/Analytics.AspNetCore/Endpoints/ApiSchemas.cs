using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Alerts;

namespace Analytics.AspNetCore.Endpoints;

// The types below only describe the API (see ApiParameters): the endpoints read these values by hand, field by field, so
// that each bad one is named in the 400. Their names become schema names in the host's OpenAPI document. Tests check
// them against what the endpoints really accept (QueryParameters.Ranges, Export.Formats, the handlers' Fields), so the
// description cannot drift from the code.

/// <summary>The values of <c>range</c>: a span back from now.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnalyticsRange>))]
internal enum AnalyticsRange
{
    [JsonStringEnumMemberName("15m")]
    Last15Minutes,

    [JsonStringEnumMemberName("1h")]
    LastHour,

    [JsonStringEnumMemberName("6h")]
    Last6Hours,

    [JsonStringEnumMemberName("24h")]
    Last24Hours,

    [JsonStringEnumMemberName("7d")]
    Last7Days,

    [JsonStringEnumMemberName("30d")]
    Last30Days,

    [JsonStringEnumMemberName("90d")]
    Last90Days,
}

/// <summary>The values of the export's <c>format</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExportFormat>))]
internal enum ExportFormat
{
    [JsonStringEnumMemberName("csv")]
    Csv,

    [JsonStringEnumMemberName("json")]
    Json,
}

/// <summary>The values of the export's <c>dataset</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExportDataset>))]
internal enum ExportDataset
{
    [JsonStringEnumMemberName("requests")]
    Requests,

    [JsonStringEnumMemberName("rollups")]
    Rollups,
}

/// <summary>The event types a webhook subscription can ask for (<see cref="Webhooks.WebhookEventTypes"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookEventType>))]
internal enum WebhookEventType
{
    [JsonStringEnumMemberName("request.failed")]
    RequestFailed,

    [JsonStringEnumMemberName("event.tracked")]
    EventTracked,

    [JsonStringEnumMemberName("alert.triggered")]
    AlertTriggered,

    [JsonStringEnumMemberName("alert.resolved")]
    AlertResolved,

    [JsonStringEnumMemberName("webhook.test")]
    Test,
}

/// <summary>A custom event, as <c>POST {prefix}/api/events</c> takes it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record TrackedEventInput
{
    [Description("What happened, such as deployment or signup: 1 to 100 characters, no control characters.")]
    [StringLength(RequestAnalyticsDefaults.MaxEventNameLength, MinimumLength = 1)]
    public required string Name { get; init; }

    [Description("Up to 50 properties of any JSON value; names of 1 to 100 characters.")]
    public IReadOnlyDictionary<string, JsonElement>? Properties { get; init; }

    [Description("Who did it.")]
    [StringLength(AnalyticsTracker.MaxUserIdLength)]
    public string? UserId { get; init; }

    [Description("When it happened (ISO-8601); the default is when it arrives. At most 5 minutes ahead, and within the raw retention.")]
    public DateTimeOffset? Timestamp { get; init; }

    [Description("How long it took, in milliseconds: 0 to one year.")]
    [Range(0d, 31_536_000_000d)]
    public double? Duration { get; init; }

    [Description("Whether it succeeded.")]
    public bool? Success { get; init; }
}

/// <summary>A webhook subscription's definition, as <c>PUT {prefix}/api/webhooks/{id}</c> takes it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal record WebhookSubscriptionUpdate
{
    [Description("Where messages are posted: an http or https URL outside private networks (unless RequestAnalytics:Webhooks:AllowPrivateNetworks).")]
    public required Uri Url { get; init; }

    [Description("The event types to send: 1 to 16 of them.")]
    public required IReadOnlyList<WebhookEventType> EventTypes { get; init; }

    [Description("With event.tracked: only custom events of these names (at most 100); empty or absent for all.")]
    public IReadOnlyList<string>? EventNames { get; init; }

    [Description("Whether messages are sent.")]
    [DefaultValue(true)]
    public bool? Enabled { get; init; }
}

/// <summary>A new webhook subscription, as <c>POST {prefix}/api/webhooks</c> takes it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record WebhookSubscriptionInput : WebhookSubscriptionUpdate
{
    [Description("The signing secret: whsec_ and the base64 of 24 to 64 random bytes. Generated when absent; shown once, in the answer.")]
    public string? Secret { get; init; }
}

/// <summary>The body of <c>POST {prefix}/api/webhooks/{id}/test</c>: nothing, or an empty object.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record WebhookTestInput;

/// <summary>The body of <c>POST {prefix}/api/webhooks/{id}/secrets</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record WebhookSecretInput
{
    [Description("The secret to add: whsec_ and the base64 of 24 to 64 random bytes. Generated when absent; shown once, in the answer.")]
    public string? Secret { get; init; }
}

/// <summary>An alert rule's definition, as <c>POST {prefix}/api/alerts</c> and <c>PUT {prefix}/api/alerts/{id}</c> take it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record AlertRuleInput
{
    [Description("A name for people.")]
    [StringLength(DefinitionChecks.MaxNameLength, MinimumLength = 1)]
    public required string Name { get; init; }

    [Description("What is measured over the window.")]
    public required AlertMetric Metric { get; init; }

    [Description("Only requests to this route template.")]
    [StringLength(DefinitionChecks.MaxFilterLength)]
    public string? Route { get; init; }

    [Description("Only requests with this HTTP method.")]
    public string? Method { get; init; }

    [Description("With eventCount or changeRatio: only custom events of this name.")]
    [StringLength(RequestAnalyticsDefaults.MaxEventNameLength)]
    public string? EventName { get; init; }

    [Description("The span measured, in whole minutes from 1m to 1d: 5m, 2h, 1d.")]
    [DefaultValue("5m")]
    public string? Window { get; init; }

    [Description("How the value is compared with the threshold.")]
    [DefaultValue(AlertOperator.GreaterThan)]
    public AlertOperator? Operator { get; init; }

    [Description("The value that fires the rule: a share from 0 to 1 for errorRate, milliseconds for p95 and p99, a count for requestCount and eventCount, a ratio for changeRatio.")]
    public required double Threshold { get; init; }

    [Description("Whether the rule is evaluated.")]
    [DefaultValue(true)]
    public bool? Enabled { get; init; }
}
