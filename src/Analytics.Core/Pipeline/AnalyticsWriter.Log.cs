using Microsoft.Extensions.Logging;

namespace Analytics.Pipeline;

internal sealed partial class AnalyticsWriter
{
    [LoggerMessage(EventId = 10, EventName = "WriteFailed", Level = LogLevel.Warning,
        Message = "Request analytics could not write a batch of {Count} records (attempt {Attempt}); retrying in {DelaySeconds} s.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count, int attempt, double delaySeconds);

    [LoggerMessage(EventId = 11, EventName = "BatchAbandoned", Level = LogLevel.Warning,
        Message = "Request analytics dropped a batch of {Count} records after {Attempts} failed attempts.")]
    private static partial void LogBatchAbandoned(ILogger logger, Exception exception, int count, int attempts);

    [LoggerMessage(EventId = 13, EventName = "BatchListenerFailed", Level = LogLevel.Warning,
        Message = "Request analytics wrote a batch, but {Listener} failed to take it; the batch stays written.")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string listener);

    [LoggerMessage(EventId = 12, EventName = "StoreRecovered", Level = LogLevel.Information,
        Message = "Request analytics is writing again after {Failures} failed attempts.")]
    private static partial void LogStoreRecovered(ILogger logger, int failures);

    [LoggerMessage(EventId = 14, EventName = "RollupsCaughtUp", Level = LogLevel.Information,
        Message = "Request analytics folded {Requests} requests and {Events} events whose raw rows were committed ahead of " +
            "their rollups, which a stop or a given-up batch kept from being written.")]
    private static partial void LogCaughtUp(ILogger logger, int requests, int events);

    [LoggerMessage(EventId = 15, EventName = "RollupsCatchUpAbandoned", Level = LogLevel.Warning,
        Message = "Request analytics gave up folding the raw rows committed ahead of their rollups; they stay without rollups.")]
    private static partial void LogCatchUpAbandoned(ILogger logger, Exception exception);
}
