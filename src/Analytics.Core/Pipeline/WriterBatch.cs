using Analytics.Storage;

namespace Analytics.Pipeline;

/// <summary>
/// One of the writer's two batches with what belongs to it: the flush markers it completes once committed, the requests
/// sampled out of its raw rows for the listeners, and how many records it folded. While one is being written, the
/// writer folds the next records into the other (<see cref="AnalyticsWriter"/>).
/// </summary>
internal sealed class WriterBatch(AnalyticsBatch batch)
{
    public AnalyticsBatch Batch => batch;

    public List<FlushMarker> Markers { get; } = [];

    /// <summary>Gets the requests not kept raw, while a listener wants them.</summary>
    public List<RequestRecord> SampledOut { get; private set; } = [];

    /// <summary>Gets or sets when the batch's first record was folded (a <see cref="TimeProvider"/> timestamp), or <see langword="null"/>.</summary>
    public long? Started { get; set; }

    /// <summary>Gets or sets how many records were folded into the batch, whether kept raw or not.</summary>
    public int Pending { get; set; }

    /// <summary>Gets how many raw rows and events the batch holds: what fills it.</summary>
    public int Kept => batch.Requests.Count + batch.Events.Count;

    /// <summary>
    /// Builds the hour and day rollups and the error-group updates now, on the thread that folded the records, so that
    /// the thread writing the batch only reads it.
    /// </summary>
    public void Seal()
    {
        _ = batch.RequestRollups;
        _ = batch.ErrorGroups;
    }

    /// <summary>
    /// Moves the raw rows, events and sampled-out requests, not the rollups, into <paramref name="target"/>, which is
    /// empty: it becomes a <see cref="AnalyticsBatch.RawAhead"/> batch that counts no records (they are counted with their
    /// rollups, in this one).
    /// </summary>
    public void MoveRawTo(WriterBatch target)
    {
        batch.MoveRawTo(target.Batch);
        (target.SampledOut, SampledOut) = (SampledOut, target.SampledOut);
    }

    /// <summary>Empties the batch for reuse once it is written or given up; its markers are completed by then.</summary>
    public void Clear()
    {
        batch.Clear();
        SampledOut.Clear();
        Markers.Clear();
        Pending = 0;
        Started = null;
    }
}
