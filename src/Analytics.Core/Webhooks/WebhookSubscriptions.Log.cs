using Microsoft.Extensions.Logging;

namespace Analytics.Webhooks;

internal sealed partial class WebhookSubscriptions
{
    [LoggerMessage(EventId = 51, EventName = "WebhookDeclaredIdTaken", Level = LogLevel.Warning,
        Message = "The webhook subscription '{Id}' declared in options is not used: a subscription created through the API has that id.")]
    private static partial void LogDeclaredIdTaken(ILogger logger, string id);

    [LoggerMessage(EventId = 90, EventName = "WebhookSecretUnreadable", Level = LogLevel.Error,
        Message = "The signing secret of webhook subscription '{Id}' cannot be unprotected: the Data Protection key ring that " +
            "protected it is not this host's (lost, or not shared by every instance). Its messages are not sent; restore the " +
            "key ring, or give the subscription a new secret.")]
    private static partial void LogSecretUnreadable(ILogger logger, string id);

    [LoggerMessage(EventId = 91, EventName = "WebhookSecretsProtected", Level = LogLevel.Information,
        Message = "The signing secrets of {Count} webhook subscriptions, stored as plain text by an earlier version, are now protected.")]
    private static partial void LogSecretsProtected(ILogger logger, int count);

    [LoggerMessage(EventId = 92, EventName = "WebhookDeclaredStaysDisabled", Level = LogLevel.Warning,
        Message = "The webhook subscription '{Id}' declared in options stays disabled: {Reason} Change its declaration (a new " +
            "URL, for one) or PUT its unchanged definition with enabled: true to enable it again.")]
    private static partial void LogDeclaredStaysDisabled(ILogger logger, string id, string reason);
}
