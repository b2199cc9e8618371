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
    private List<RequestRecord> _requests = []; // swapped, not copied, into a raw-ahead batch (MoveRawTo)
    private List<EventRecord> _events = [];
    private readonly List<WebhookMessage> _webhookMessages = [];
    private List<ErrorGroupState>? _errorGroups;
    private bool _rawAhead;

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

    /// <summary>
    /// Gets whether the batch holds raw rows and events only, whose rollups a later batch brings (<see cref="CatchesUp"/>):
    /// its <c>Add…</c> methods keep raw rows and count nothing into the rollups. The writer makes such batches only for a
    /// store that declares <see cref="StoreCapabilities.RawAhead"/>, which records in the same transaction that raw rows
    /// are ahead of their rollups, unless that is already recorded (<see cref="IRawAheadStore"/>). Set in an object
    /// initializer by tests and tools that write to a store directly.
    /// </summary>
    public bool RawAhead { get => _rawAhead; init => _rawAhead = value; }

    /// <summary>
    /// Gets or sets whether the batch's rollups hold, besides its own raw rows', those of every <see cref="RawAhead"/>
    /// batch committed since the last such batch: a store that declares <see cref="StoreCapabilities.RawAhead"/> removes
    /// its record of raw rows ahead of their rollups in the same transaction. The writer sets it on every batch with
    /// rollups that it gives such a store; other stores ignore it.
    /// </summary>
    public bool CatchesUp { get; set; }

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
    /// Counts a request into the rollups (not in a <see cref="RawAhead"/> batch) and, when <paramref name="keepRaw"/>, keeps it as a raw
    /// row. A failed request without an <see cref="RequestRecord.ErrorFingerprint"/> is given one.
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
        if (!_rawAhead)
        {
            _rollups.Add(request);
        }

        if (keepRaw)
        {
            _requests.Add(request);
        }
    }

    /// <summary>Counts a custom event into the rollups (not in a <see cref="RawAhead"/> batch) and keeps it as a raw row.</summary>
    /// <param name="analyticsEvent">The event.</param>
    public void AddEvent(EventRecord analyticsEvent)
    {
        ArgumentNullException.ThrowIfNull(analyticsEvent);
        if (!_rawAhead)
        {
            _rollups.Add(analyticsEvent);
        }

        _events.Add(analyticsEvent);
    }

    /// <summary>
    /// Counts a custom event into the rollups only: the folding of raw rows whose rollups were lost (<see cref="IRawAheadStore"/>).
    /// </summary>
    internal void AddEventRollupOnly(EventRecord analyticsEvent) => _rollups.Add(analyticsEvent);

    /// <summary>
    /// Moves the raw rows and events, not the rollups, into <paramref name="target"/>, an empty batch, and makes it a
    /// <see cref="RawAhead"/> batch. The lists are swapped, not copied.
    /// </summary>
    internal void MoveRawTo(AnalyticsBatch target)
    {
        (target._requests, _requests) = (_requests, target._requests);
        (target._events, _events) = (_events, target._events);
        target._rawAhead = true;
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
        _rawAhead = false;
        CatchesUp = false;
        _requests.Clear();
        _events.Clear();
        _webhookMessages.Clear();
        _errorGroups = null;
        _rollups.Clear();
    }
}
