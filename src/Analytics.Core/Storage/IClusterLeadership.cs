namespace Analytics.Storage;

/// <summary>
/// The capability of a store that several app instances share: it elects one of them to do the work that must happen
/// once per cluster, evaluating alerts and purging expired data. A store without it belongs to one process, which does
/// that work itself.
/// </summary>
public interface IClusterLeadership
{
    /// <summary>
    /// Returns whether this instance leads now, becoming the leader when no instance is. Called before each run of that
    /// work; answers <see langword="false"/> rather than throwing when the store cannot be reached.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> IsLeaderAsync(CancellationToken cancellationToken);
}
