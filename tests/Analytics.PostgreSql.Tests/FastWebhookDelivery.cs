using Analytics.Webhooks;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// The delivery policy of the tests that run app instances on one database: retries every 200 ms and a 20 ms poll
/// instead of the production schedule, so that a message another instance sends shows up within a test's deadline.
/// </summary>
internal static class FastWebhookDelivery
{
    public static WebhookDeliveryPolicy Policy() => new()
    {
        QuickDelay = TimeSpan.FromMilliseconds(10),
        Schedule = [.. Enumerable.Repeat(TimeSpan.FromMilliseconds(200), 20)],
        PollInterval = TimeSpan.FromMilliseconds(20),
        AttemptTimeout = TimeSpan.FromSeconds(5),
    };
}
