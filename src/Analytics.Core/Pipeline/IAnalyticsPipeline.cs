namespace Analytics;

/// <summary>The capture pipeline between the request path and the store: its counters, and a way to wait for it.</summary>
public interface IAnalyticsPipeline
{
    /// <summary>Gets how many records (requests and events) entered the queue since start.</summary>
    long Accepted { get; }

    /// <summary>
    /// Gets how many records were lost since start: refused because the queue was full or the pipeline had stopped,
    /// or abandoned after the store kept failing.
    /// </summary>
    long Dropped { get; }

    /// <summary>Gets how many records were persisted since start.</summary>
    long Written { get; }

    /// <summary>Gets how many records are waiting in the queue now.</summary>
    int QueueLength { get; }

    /// <summary>
    /// Writes everything queued now without waiting for the flush interval. When the returned task completes, every
    /// record accepted before the call has been persisted, or counted as dropped if the store kept failing.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the records stay queued.</param>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
