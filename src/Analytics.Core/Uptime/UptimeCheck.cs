namespace Analytics.Uptime;

/// <summary>One health check's uptime over a range, from the reports of the host's health-check publisher.</summary>
public sealed record UptimeCheck
{
    /// <summary>Gets the check's name, as registered with <c>AddHealthChecks().AddCheck(name, …)</c>.</summary>
    public required string Check { get; init; }

    /// <summary>Gets the latest status: the worst of each instance's latest report.</summary>
    public required UptimeStatus Status { get; init; }

    /// <summary>
    /// Gets the share of reports in the range that were not unhealthy, from 0 to 100, or <see langword="null"/> when
    /// there were none.
    /// </summary>
    public double? UptimePercent { get; init; }

    /// <summary>Gets when the latest status began (its first report after a different one), or <see langword="null"/>.</summary>
    public DateTimeOffset? LastChange { get; init; }

    /// <summary>
    /// Gets the incidents overlapping the range, newest first: an incident opens after
    /// <see cref="RequestAnalyticsOptions.UptimeFailureThreshold"/> unhealthy reports in a row from one instance and
    /// closes after as many healthy (or degraded) ones.
    /// </summary>
    public required IReadOnlyList<UptimeIncident> Incidents { get; init; }
}
