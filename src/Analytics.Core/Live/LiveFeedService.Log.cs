using Microsoft.Extensions.Logging;

namespace Analytics.Live;

internal sealed partial class LiveFeedService
{
    [LoggerMessage(EventId = 40, EventName = "LiveStatsFailed", Level = LogLevel.Warning,
        Message = "Request analytics could not compute the live stream's stats; the stream goes on without this update.")]
    private static partial void LogStatsFailed(ILogger logger, Exception exception);
}
