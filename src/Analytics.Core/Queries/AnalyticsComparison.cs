namespace Analytics;

/// <summary>What an answer is compared with (<see cref="AnalyticsQuery.Compare"/>).</summary>
public enum AnalyticsComparison
{
    /// <summary>No comparison: <c>Previous</c> is <see langword="null"/>.</summary>
    None,

    /// <summary>
    /// The range of the same length just before the asked one (<c>compare=previous-period</c>), with the same filters.
    /// </summary>
    PreviousPeriod,

    /// <summary>
    /// The release before the newest one in the asked range (<c>compare=previous-release</c>): the requests that release
    /// served, over a range of the same length ending when it was last seen. <c>Previous</c> is <see langword="null"/>
    /// when there was no earlier release in the retained data.
    /// </summary>
    PreviousRelease,
}
