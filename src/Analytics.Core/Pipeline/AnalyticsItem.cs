namespace Analytics.Pipeline;

/// <summary>
/// What travels through the queue. Requests ride inline (a struct, so queuing one allocates nothing); a custom event
/// or a flush marker rides in <see cref="Other"/>.
/// </summary>
internal readonly struct AnalyticsItem
{
    public AnalyticsItem(in RequestRecord request)
    {
        Request = request;
    }

    public AnalyticsItem(EventRecord analyticsEvent)
    {
        Other = analyticsEvent;
        Request = default;
    }

    public AnalyticsItem(FlushMarker marker)
    {
        Other = marker;
        Request = default;
    }

    public RequestRecord Request { get; }

    /// <summary>An <see cref="EventRecord"/>, a <see cref="FlushMarker"/>, or <see langword="null"/> for a request.</summary>
    public object? Other { get; }
}

/// <summary>
/// Queued by <see cref="IAnalyticsPipeline.FlushAsync"/>. The queue is FIFO, so when the writer reaches the marker every
/// record accepted before it is in hand; the writer completes the marker once that batch is persisted.
/// </summary>
internal sealed class FlushMarker
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _done.Task;

    public void Complete() => _done.TrySetResult();
}
