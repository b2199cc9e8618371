namespace Analytics.Pipeline;

/// <summary>
/// Queued by <see cref="IAnalyticsPipeline.FlushAsync"/> with the count of records accepted before it. Once the writer has
/// taken that many, every record accepted before the flush is in hand; the writer completes the marker once that batch
/// is persisted.
/// </summary>
internal sealed class FlushMarker(long accepted)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets how many records the queue had accepted when the flush was asked for.</summary>
    public long Accepted => accepted;

    public Task Task => _done.Task;

    public void Complete() => _done.TrySetResult();
}
