using Microsoft.Extensions.Logging;

namespace Analytics.Webhooks;

internal sealed partial class WebhookSubscriptions
{
    [LoggerMessage(EventId = 51, EventName = "WebhookDeclaredIdTaken", Level = LogLevel.Warning,
        Message = "The webhook subscription '{Id}' declared in options is not used: a subscription created through the API has that id.")]
    private static partial void LogDeclaredIdTaken(ILogger logger, string id);
}
