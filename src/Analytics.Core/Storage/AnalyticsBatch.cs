using Analytics.Rollups;
using Analytics.Webhooks;

namespace Analytics.Storage;

/// <summary>
/// What the writer hands the store in one transaction: the raw rows to keep, and the rollups of every record of the batch
/// at every granularity, to be added to the stored rollups with the same keys.
/// </summary>
public sealed class AnalyticsBatch
{
    private readonly RollupAccumulator _rollups;

    internal AnalyticsBatch(Func<RequestRecord, ErrorSeverity>? classifyError = null)
    {
        _rollups = new RollupAccumulator(classifyError ?? Errors.ErrorFingerprints.DefaultSeverity);
    }

    internal List<RequestRecord> RequestList { get; } = [];

    internal List<EventRecord> EventList { get; } = [];

    internal List<WebhookMessage> WebhookMessageList { get; } = [];

    /// <summary>Gets the requests to keep as raw rows (after <see cref="RequestAnalyticsOptions.RawSampleRate"/>).</summary>
    public IReadOnlyList<RequestRecord> Requests => RequestList;

    /// <summary>Gets the custom events to keep as raw rows.</summary>
    public IReadOnlyList<EventRecord> Events => EventList;

    /// <summary>
    /// Gets the webhook messages the batch produced (<c>request.failed</c>, <c>event.tracked</c>), to be added to the
    /// outbox in the same transaction by a store that implements <see cref="IWebhookStore"/>; others ignore them.
    /// </summary>
    public IReadOnlyList<WebhookMessage> WebhookMessages => WebhookMessageList;

    /// <summary>Gets the request rollups of every request of the batch, whether kept raw or not, at every granularity.</summary>
    public IReadOnlyList<RequestRollup> RequestRollups => _rollups.Requests;

    /// <summary>Gets the custom-event rollups of the batch at every granularity.</summary>
    public IReadOnlyList<EventRollup> EventRollups => _rollups.Events;

    /// <summary>Gets the rollups of the failed requests of the batch at every granularity.</summary>
    public IReadOnlyList<ErrorRollup> ErrorRollups => _rollups.Errors;

    /// <summary>Counts a request into the rollups and, when <paramref name="keepRaw"/>, keeps it as a raw row.</summary>
    internal void AddRequest(in RequestRecord request, bool keepRaw = true)
    {
        if (request.IsError && request.ErrorFingerprint is null)
        {
            AddRequest(request with { ErrorFingerprint = Errors.ErrorFingerprints.Compute(request) }, keepRaw);
            return;
        }

        _rollups.Add(request);
        if (keepRaw)
        {
            RequestList.Add(request);
        }
    }

    internal void AddEvent(EventRecord analyticsEvent)
    {
        _rollups.Add(analyticsEvent);
        EventList.Add(analyticsEvent);
    }

    internal void Clear()
    {
        RequestList.Clear();
        EventList.Clear();
        WebhookMessageList.Clear();
        _rollups.Clear();
    }
}
