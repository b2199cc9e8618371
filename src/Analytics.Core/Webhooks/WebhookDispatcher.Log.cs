using Microsoft.Extensions.Logging;

namespace Analytics.Webhooks;

internal sealed partial class WebhookDispatcher
{
    [LoggerMessage(EventId = 52, EventName = "WebhookDelivered", Level = LogLevel.Debug,
        Message = "Webhook {MessageId} delivered to '{Subscription}' (attempt {Attempt}).")]
    private static partial void LogDelivered(ILogger logger, string messageId, string subscription, int attempt);

    [LoggerMessage(EventId = 53, EventName = "WebhookDeliveryFailed", Level = LogLevel.Information,
        Message = "Webhook {MessageId} to '{Subscription}' failed after {Attempts} attempts ({Error}); trying again in {DelaySeconds} s.")]
    private static partial void LogDeliveryFailed(
        ILogger logger,
        string messageId,
        string subscription,
        int attempts,
        string error,
        double delaySeconds);

    [LoggerMessage(EventId = 54, EventName = "WebhookGivenUp", Level = LogLevel.Warning,
        Message = "Webhook {MessageId} to '{Subscription}' was given up after {Attempts} attempts ({Error}).")]
    private static partial void LogGivenUp(ILogger logger, string messageId, string subscription, int attempts, string error);

    [LoggerMessage(EventId = 55, EventName = "WebhookAddressRefused", Level = LogLevel.Warning,
        Message = "Webhook {MessageId} to '{Subscription}' was refused at dial time: '{Host}' is {Address}, " +
            "not a public address. No connection was made.")]
    private static partial void LogAddressRefused(ILogger logger, string messageId, string subscription, string host, string address);

    [LoggerMessage(EventId = 56, EventName = "WebhookSubscriptionGone", Level = LogLevel.Warning,
        Message = "The receiver of webhook subscription '{Subscription}' ({Url}) answered 410 Gone: the subscription is disabled.")]
    private static partial void LogSubscriptionGone(ILogger logger, string subscription, string url);

    [LoggerMessage(EventId = 57, EventName = "WebhookSubscriptionMissing", Level = LogLevel.Warning,
        Message = "Webhook {MessageId} was not sent: its subscription '{Subscription}' is {Why}.")]
    private static partial void LogDroppedForSubscription(ILogger logger, string messageId, string subscription, string why);

    [LoggerMessage(EventId = 58, EventName = "WebhookDeliveryInterrupted", Level = LogLevel.Debug,
        Message = "Webhook {MessageId} was interrupted by the host stopping; it will be sent after the restart.")]
    private static partial void LogDeliveryInterrupted(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(EventId = 59, EventName = "WebhookOutboxFailed", Level = LogLevel.Warning,
        Message = "The webhook outbox could not be read; trying again shortly.")]
    private static partial void LogOutboxFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 94, EventName = "WebhookCompletionFenced", Level = LogLevel.Warning,
        Message = "The outcome of webhook {MessageId} to '{Subscription}' was not recorded: its lease ran out and the message " +
            "was claimed again since (this claim's token was {ClaimToken}), so the newer claim's outcome stands. " +
            "This delivery's {Attempts} attempts are not in the deliveries log; the receiver may have seen the message twice.")]
    private static partial void LogCompletionFenced(ILogger logger, string messageId, string subscription, long claimToken, int attempts);

    [LoggerMessage(EventId = 93, EventName = "WebhookNotSentSecretUnreadable", Level = LogLevel.Error,
        Message = "Webhook {MessageId} to '{Subscription}' was not sent: the subscription's signing secret cannot be " +
            "unprotected with this host's Data Protection key ring. It is tried again on the retry schedule.")]
    private static partial void LogSecretUnreadable(ILogger logger, string messageId, string subscription);

    [LoggerMessage(EventId = 180, EventName = "WebhookBodyNotRendered", Level = LogLevel.Error,
        Message = "Webhook {MessageId} to '{Subscription}' was given up: its payload could not be written as a {Format} message.")]
    private static partial void LogBodyNotRendered(ILogger logger, Exception exception, string messageId, string subscription, WebhookFormat format);
}
