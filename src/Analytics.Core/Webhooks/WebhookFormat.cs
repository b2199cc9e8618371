using System.Text.Json.Serialization;

namespace Analytics;

/// <summary>The body a webhook subscription's messages are posted as.</summary>
// In the root namespace, as AlertMetric is: both the host's options and the stores' records (Analytics.Storage) carry
// it, and Analytics.Storage depends on no feature namespace.
[JsonConverter(typeof(JsonStringEnumConverter<WebhookFormat>))]
public enum WebhookFormat
{
    /// <summary>The Standard Webhooks envelope <c>{ type, timestamp, data }</c>, signed (<c>webhook-signature</c>).</summary>
    [JsonStringEnumMemberName("standardWebhooks")]
    StandardWebhooks = 0,

    /// <summary>A Slack incoming-webhook message: <c>text</c> and <c>blocks</c>. Not signed.</summary>
    [JsonStringEnumMemberName("slack")]
    Slack = 1,

    /// <summary>A Microsoft Teams workflow message carrying an Adaptive Card. Not signed.</summary>
    [JsonStringEnumMemberName("teams")]
    Teams = 2,

    /// <summary>A Discord webhook message: <c>content</c> and <c>embeds</c>. Not signed.</summary>
    [JsonStringEnumMemberName("discord")]
    Discord = 3,
}
