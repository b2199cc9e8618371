using Analytics.Storage;

namespace Analytics.Pipeline;

/// <summary>A batch the store has committed, as the writer hands it to its <see cref="IBatchListener"/>s.</summary>
/// <param name="Batch">What was written.</param>
/// <param name="SampledOut">
/// The requests counted into the rollups but not kept as raw rows; empty unless a listener
/// <see cref="IBatchListener.WantsSampledOut"/>.
/// </param>
/// <param name="Records">How many records (requests and events) the batch holds, sampled out or not.</param>
/// <param name="Elapsed">How long the successful attempt took.</param>
internal readonly record struct CommittedBatch(AnalyticsBatch Batch, IReadOnlyList<RequestRecord> SampledOut, int Records, TimeSpan Elapsed);
