using Microsoft.Extensions.Logging;

namespace Analytics.Retention;

internal sealed partial class RetentionService
{
    [LoggerMessage(EventId = 30, EventName = "RetentionPurged", Level = LogLevel.Information,
        Message = "Request analytics retention deleted {Count} expired rows.")]
    private static partial void LogPurged(ILogger logger, long count);

    [LoggerMessage(EventId = 31, EventName = "RetentionFailed", Level = LogLevel.Warning,
        Message = "Request analytics retention failed; the next pass will retry.")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
