namespace Analytics.Storage;

/// <summary>
/// What the writer hands the store in one transaction: the raw rows to keep, the rollups of every record of the batch
/// at every granularity (to be added to the stored rollups with the same keys), the error groups they add to and the
/// webhook messages they produce.
/// </summary>
/// <remarks>
/// The writer fills one batch of its own and reuses it; a store must not keep its lists once
/// <see cref="IAnalyticsStore.WriteBatchAsync"/> returns. The public constructor and <c>Add…</c> methods are for tests
/// and tools that write to a store directly, such as the store conformance kit.
/// </remarks>
public sealed class AnalyticsBatch
{
    private readonly RollupAccumulator _rollups;
    private readonly List<RequestRecord> _requests = [];
    private readonly List<EventRecord> _events = [];
    private readonly List<WebhookMessage> _webhookMessages = [];
    private List<ErrorGroupState>? _errorGroups;

    /// <summary>Creates an empty batch.</summary>
    /// <param name="classifyError">
    /// Gives a failed request its severity in the error rollups; <see langword="null"/> for the default (5xx and
    /// exceptions are errors, other failures warnings), as <see cref="RequestAnalyticsOptions.ClassifyError"/>.
    /// </param>
    /// <remarks>
    /// The batch admits at most <see cref="RequestAnalyticsOptions.MaxConsumersPerBucket"/>'s default of 1 000 consumers
    /// per bucket into its <see cref="ConsumerRollups"/>, counting itself alone: the writer's batches share one count
    /// across batches instead, with the option's value.
    /// </remarks>
    public AnalyticsBatch(Func<RequestRecord, ErrorSeverity>? classifyError = null)
        : this(classifyError, new ConsumerAdmission(RequestAnalyticsDefaults.MaxConsumersPerBucket))
    {
    }

    /// <summary>Creates an empty batch whose consumers are admitted by <paramref name="admission"/>, which outlives it.</summary>
    internal AnalyticsBatch(Func<RequestRecord, ErrorSeverity>? classifyError, ConsumerAdmission admission)
    {
        _rollups = new RollupAccumulator(classifyError ?? ErrorFingerprints.DefaultSeverity, admission);
    }

    /// <summary>
    /// Gets the batch's identity: the same on every attempt at writing it, new once it is written or given up (and for
    /// each batch made with the constructor). The writer retries a batch whose attempt failed, and the failure may come
    /// after the store committed it (a network database whose acknowledgement of the commit was lost): a store whose
    /// commit can outlive the attempt's error records the id in the batch's transaction and writes nothing for an id it
    /// has already committed. A store that commits locally (an SQLite file) cannot see a failure after its own commit,
    /// and may ignore it.
    /// </summary>
    public Guid Id { get; private set; } = Guid.CreateVersion7();

    /// <summary>Gets the requests to keep as raw rows (after <see cref="RequestAnalyticsOptions.RawSampleRate"/>).</summary>
    public IReadOnlyList<RequestRecord> Requests => _requests;

    /// <summary>Gets the custom events to keep as raw rows.</summary>
    public IReadOnlyList<EventRecord> Events => _events;

    /// <summary>
    /// Gets the webhook messages the batch produced (<c>request.failed</c>, <c>event.tracked</c>), to be added to the
    /// outbox in the same transaction by a store that declares <see cref="StoreCapabilities.Webhooks"/>; others ignore them.
    /// </summary>
    public IReadOnlyList<WebhookMessage> WebhookMessages => _webhookMessages;

    /// <summary>Gets the request rollups of every request of the batch, whether kept raw or not, at every granularity.</summary>
    public IReadOnlyList<RequestRollup> RequestRollups => _rollups.Requests;

    /// <summary>
    /// Gets the per-consumer rollups of the requests of the batch that named a consumer, at every granularity: request
    /// rollups with <see cref="RequestRollup.Consumer"/> set, at most
    /// <see cref="RequestAnalyticsOptions.MaxConsumersPerBucket"/> consumers per bucket and the rest as <c>(other)</c>.
    /// Written by a store that declares <see cref="StoreCapabilities.Consumers"/>; others ignore them.
    /// </summary>
    public IReadOnlyList<RequestRollup> ConsumerRollups => _rollups.Consumers;

    /// <summary>Gets the custom-event rollups of the batch at every granularity.</summary>
    public IReadOnlyList<EventRollup> EventRollups => _rollups.Events;

    /// <summary>Gets the rollups of the failed requests of the batch at every granularity.</summary>
    public IReadOnlyList<ErrorRollup> ErrorRollups => _rollups.Errors;

    /// <summary>
    /// Gets what the batch adds to each error group, one entry per fingerprint, ordered by fingerprint (so that
    /// concurrent writers lock groups in one order): the count to add, the first and last occurrence, and the latest
    /// occurrence's route, status, exception and severity. A store that declares <see cref="StoreCapabilities.Errors"/>
    /// applies them in <see cref="IAnalyticsStore.WriteBatchAsync"/>: it adds the count, keeps the earliest first
    /// occurrence and the latest details, and reopens a resolved group whose new last occurrence is after its resolution.
    /// </summary>
    public IReadOnlyList<ErrorGroupState> ErrorGroups => _errorGroups ??= ErrorGroupUpdates.From(_rollups.Errors);

    /// <summary>
    /// Counts a request into the rollups and, when <paramref name="keepRaw"/>, keeps it as a raw row. A failed request
    /// without an <see cref="RequestRecord.ErrorFingerprint"/> is given one.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="keepRaw">Whether to keep it as a raw row as well.</param>
    public void AddRequest(in RequestRecord request, bool keepRaw = true)
    {
        if (request.IsError && request.ErrorFingerprint is null)
        {
            AddRequest(request with { ErrorFingerprint = ErrorFingerprints.Compute(request) }, keepRaw);
            return;
        }

        _errorGroups = null;
        _rollups.Add(request);
        if (keepRaw)
        {
            _requests.Add(request);
        }
    }

    /// <summary>Counts a custom event into the rollups and keeps it as a raw row.</summary>
    /// <param name="analyticsEvent">The event.</param>
    public void AddEvent(EventRecord analyticsEvent)
    {
        ArgumentNullException.ThrowIfNull(analyticsEvent);
        _rollups.Add(analyticsEvent);
        _events.Add(analyticsEvent);
    }

    /// <summary>Adds a message to be queued in the webhook outbox with the batch.</summary>
    /// <param name="message">The message.</param>
    public void AddWebhookMessage(WebhookMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _webhookMessages.Add(message);
    }

    /// <summary>Removes the webhook messages only: the writer makes them again on each attempt at writing the batch.</summary>
    internal void ClearWebhookMessages() => _webhookMessages.Clear();

    /// <summary>Empties the batch for reuse.</summary>
    internal void Clear()
    {
        Id = Guid.CreateVersion7();
        _requests.Clear();
        _events.Clear();
        _webhookMessages.Clear();
        _errorGroups = null;
        _rollups.Clear();
    }
}
