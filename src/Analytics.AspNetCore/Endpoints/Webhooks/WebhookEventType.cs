using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

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
