using Analytics.Storage;

namespace Analytics.Pipeline;

/// <summary>
/// Adds to a batch before the writer writes it: runs on the writer's thread at the start of every attempt, retries
/// included, inside the attempt (so a step that throws fails the attempt, which is retried like a failed write). What a
/// step adds is written in the batch's transaction. Registered as an enumerable service; the writer runs the steps in
/// registration order.
/// </summary>
internal interface IBatchStep
{
    /// <summary>Adds to <paramref name="batch"/>; must first undo what it added on an earlier attempt at the same batch.</summary>
    /// <param name="batch">The batch about to be written.</param>
    /// <param name="cancellationToken">Never cancelled mid-attempt today; passed so a step can honour a future stop.</param>
    ValueTask BeforeWriteAsync(AnalyticsBatch batch, CancellationToken cancellationToken);
}
