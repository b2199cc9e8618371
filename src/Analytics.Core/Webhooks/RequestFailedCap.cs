using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Webhooks;

/// <summary>
/// At most <see cref="WebhookOptions.MaxRequestFailedPerMinute"/> <c>request.failed</c> messages per subscription and
/// minute. Counts as committed, and as counted for the batch being written, which starts again from the committed
/// counts on each attempt, so a retried batch does not count twice. The writer's thread only.
/// </summary>
internal sealed partial class RequestFailedCap
{
    private readonly Dictionary<string, (long Minute, int Count)> _committed = [];
    private readonly Dictionary<string, (long Minute, int Count)> _inBatch = [];
    private readonly int _max;
    private readonly ILogger _logger;

    public RequestFailedCap(IOptions<RequestAnalyticsOptions> options, ILogger<RequestFailedCap> logger)
    {
        _max = options.Value.Webhooks.MaxRequestFailedPerMinute;
        _logger = logger;
    }

    /// <summary>Starts counting a batch (again) from the committed counts.</summary>
    public void BeginBatch()
    {
        _inBatch.Clear();
        foreach (var (id, counted) in _committed)
        {
            _inBatch[id] = counted;
        }
    }

    /// <summary>Counts one message for the subscription in the minute of <paramref name="time"/>; returns whether it is under the cap.</summary>
    public bool TryCount(string subscriptionId, DateTimeOffset time)
    {
        var minute = time.ToUnixTimeSeconds() / 60;
        var (seen, count) = _inBatch.GetValueOrDefault(subscriptionId);
        count = seen == minute ? count + 1 : 1;
        _inBatch[subscriptionId] = (minute, count);
        if (count == _max + 1)
        {
            LogFailedCapReached(_logger, subscriptionId, _max);
        }

        return count <= _max;
    }

    /// <summary>Keeps the counts of the batch last counted, once it is committed.</summary>
    public void Commit()
    {
        _committed.Clear();
        foreach (var (id, counted) in _inBatch)
        {
            _committed[id] = counted;
        }
    }

    [LoggerMessage(EventId = 50, EventName = "WebhookFailedCapReached", Level = LogLevel.Warning,
        Message = "More than {Max} failed requests this minute: further request.failed webhooks to '{Subscription}' " +
            "are not sent until the next minute (RequestAnalytics:Webhooks:MaxRequestFailedPerMinute).")]
    private static partial void LogFailedCapReached(ILogger logger, string subscription, int max);
}
