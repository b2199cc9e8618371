using Analytics.Storage;
using Analytics.Telemetry;
using Microsoft.Extensions.Logging;

namespace Analytics.Pipeline;

/// <summary>
/// Reports the writer's consumers counted as <c>(other)</c>: each request on the meter
/// (<c>analytics.consumers.overflow</c>, per granularity), and a Warning when a bucket first overflows, at most once per
/// <see cref="WarningInterval"/> with the number of buckets that overflowed meanwhile.
/// </summary>
/// <remarks>Called on the writer loop only.</remarks>
internal sealed partial class ConsumerOverflowReporter(AnalyticsMetrics metrics, ILogger logger, TimeProvider timeProvider)
    : IConsumerOverflowObserver
{
    // A flood overflows every minute, and its hour and day with it: one warning per interval is enough to see it.
    internal static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(5);

    private long _lastWarning; // timestamp of the last warning, 0 before the first
    private int _unreportedBuckets; // buckets that overflowed since then

    public void Overflowed(in ConsumerNames names) => metrics.ConsumerOverflowed(
        ConsumerNames.IsOther(names.Minute), ConsumerNames.IsOther(names.Hour), ConsumerNames.IsOther(names.Day));

    public void BucketOverflowed(Granularity granularity, DateTimeOffset start, int maxConsumers)
    {
        var now = timeProvider.GetTimestamp();
        if (_lastWarning != 0 && timeProvider.GetElapsedTime(_lastWarning, now) < WarningInterval)
        {
            _unreportedBuckets++;
            return;
        }

        var others = _unreportedBuckets;
        _lastWarning = now;
        _unreportedBuckets = 0;
        GuardedLog.Write(
            logger,
            static (logger, state) => LogConsumersOverflowed(logger, state.granularity, state.start, state.maxConsumers, state.others),
            (granularity, start, maxConsumers, others));
    }

    [LoggerMessage(EventId = 155, EventName = "ConsumersOverflowed", Level = LogLevel.Warning,
        Message = "Request analytics counted the consumers beyond MaxConsumersPerBucket ({MaxConsumers}) of the {Granularity} " +
            "starting {BucketStart} as (other), and those of {OtherBuckets} more buckets since the last warning. Raw rows keep " +
            "every name. Raise MaxConsumersPerBucket, or check what sets the consumer if its values should be few.")]
    private static partial void LogConsumersOverflowed(
        ILogger logger, Granularity granularity, DateTimeOffset bucketStart, int maxConsumers, int otherBuckets);
}
