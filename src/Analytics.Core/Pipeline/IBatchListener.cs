namespace Analytics.Pipeline;

/// <summary>
/// Told by the writer about each batch once its transaction has committed (and about each failed attempt): the live
/// feed, the Prometheus counters, the webhook outbox signal and the meter. Registered as an enumerable service; the
/// writer calls the listeners in registration order, on its own thread, so each must be quick and must not block. One
/// that throws is logged and skipped: the batch is committed and stays counted as written.
/// </summary>
internal interface IBatchListener
{
    /// <summary>
    /// Gets whether the listener wants the requests sampled out of the raw rows as well
    /// (<see cref="CommittedBatch.SampledOut"/>); asked as the writer fills each batch, since keeping them costs a copy each.
    /// </summary>
    bool WantsSampledOut => false;

    /// <summary>Called once the batch is committed.</summary>
    /// <param name="batch">The batch; valid only during the call, since the writer reuses its lists.</param>
    void Committed(in CommittedBatch batch);

    /// <summary>Called after an attempt at writing a batch failed, whether it is retried or abandoned.</summary>
    /// <param name="records">The records the batch holds.</param>
    /// <param name="elapsed">How long the attempt took.</param>
    /// <param name="error">Why it failed.</param>
    void WriteFailed(int records, TimeSpan elapsed, Exception error)
    {
    }
}
