using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>
/// Apdex summed over rollup rows: from each row's sketch, the requests within T are satisfied and those within 4T
/// tolerating; failed requests (<see cref="RequestRollup.Errors"/>) are frustrated whatever their duration, as New Relic
/// counts them. A row with some failures is scaled by its success share.
/// </summary>
internal sealed class ApdexScore
{
    private double _satisfied;
    private double _tolerating;
    private long _total;

    /// <summary>Gets the score from 0 to 1, or <see langword="null"/> without requests.</summary>
    public double? Value => _total == 0 ? null : (_satisfied + (_tolerating / 2)) / _total;

    /// <param name="row">A row whose durations are latency (not a long-lived connection's lifetime).</param>
    /// <param name="threshold">T, in microseconds.</param>
    public void Add(RequestRollup row, double threshold)
    {
        if (row.Count <= 0)
        {
            return;
        }

        _total += row.Count;
        if (row.Errors >= row.Count || row.Latency is not { } latency)
        {
            return; // every request failed, or read without sketches: nothing to credit
        }

        double successShare = (double)(row.Count - row.Errors) / row.Count;
        var (satisfied, withinFourT) = latency.CountInBucketsAtOrBelow(threshold, 4 * threshold);
        long tolerating = withinFourT - satisfied;
        _satisfied += satisfied * successShare;
        _tolerating += tolerating * successShare;
    }
}
