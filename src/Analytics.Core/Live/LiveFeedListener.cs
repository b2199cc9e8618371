using Analytics.Pipeline;

namespace Analytics.Live;

/// <summary>
/// Hands each committed batch to the <see cref="LiveFeed"/>: the raw rows, and while anyone listens the requests sampled
/// out of them too, so the stream shows every request.
/// </summary>
internal sealed class LiveFeedListener(LiveFeed feed) : IBatchListener
{
    private readonly List<RequestRecord> _every = []; // the writer's thread only: Committed is never called concurrently

    public bool WantsSampledOut => feed.IsActive;

    public void Committed(in CommittedBatch batch)
    {
        if (batch.SampledOut.Count == 0)
        {
            feed.Publish(batch.Batch.Requests, batch.Batch.Events);
            return;
        }

        _every.AddRange(batch.SampledOut);
        _every.AddRange(batch.Batch.Requests);
        feed.Publish(_every, batch.Batch.Events);
        _every.Clear();
    }
}
