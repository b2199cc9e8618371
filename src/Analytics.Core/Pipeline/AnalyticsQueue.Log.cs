using Microsoft.Extensions.Logging;

namespace Analytics.Pipeline;

internal sealed partial class AnalyticsQueue
{
    [LoggerMessage(EventId = 2, EventName = "CaptureFailed", Level = LogLevel.Debug, Message = "Request analytics could not capture a request.")]
    private static partial void LogCaptureFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1, EventName = "RecordsDropped", Level = LogLevel.Warning,
        Message = "Request analytics dropped {Count} records since the last report, {TotalDropped} since start: " +
            "the queue was full or stopped, or the store kept failing. Raise QueueCapacity or check the store.")]
    private static partial void LogRecordsDropped(ILogger logger, long count, long totalDropped);
}
