using System.Text;
using Analytics.Webhooks;

namespace Analytics.Storage.Testing;

/// <summary>The instant and the messages the webhook and alert suites share.</summary>
internal static class WebhookTestData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static WebhookMessage Message(
        string id, string subscriptionId, DateTimeOffset due, string body = "{\"type\":\"webhook.test\"}") => new()
        {
            Id = id,
            SubscriptionId = subscriptionId,
            EventType = WebhookEventTypes.Test,
            Payload = Encoding.UTF8.GetBytes(body),
            CreatedAt = due,
            NextAttemptAt = due,
        };
}
