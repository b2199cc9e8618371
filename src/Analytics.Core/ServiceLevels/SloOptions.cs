namespace Analytics.ServiceLevels;

/// <summary>
/// A service-level objective declared in configuration, under <c>RequestAnalytics:Slos</c>: "<see cref="Objective"/>
/// of the requests (to <see cref="Route"/>, by <see cref="Method"/>) over <see cref="Window"/> are good". A request is
/// good when it did not fail (status below 500 and nothing thrown) and, when <see cref="LatencyThreshold"/> is set, took
/// at most that long.
/// </summary>
public sealed class SloOptions
{
    /// <summary>Gets or sets the name: 1 to 64 letters, digits, '-', '_' or '.'. Required and unique.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the route template the objective covers; every route when unset.</summary>
    public string? Route { get; set; }

    /// <summary>Gets or sets the HTTP method the objective covers; every method when unset.</summary>
    public string? Method { get; set; }

    /// <summary>
    /// Gets or sets the share of good requests promised, greater than 0 and less than 1 (0.999 is 99.9 %). Required.
    /// </summary>
    public double Objective { get; set; }

    /// <summary>
    /// Gets or sets the latency a good request stays within (a latency objective); unset, only failures count against
    /// the objective (an availability objective). From 1 ms to 1 hour.
    /// </summary>
    public TimeSpan? LatencyThreshold { get; set; }

    /// <summary>
    /// Gets or sets the rolling window the objective is measured over: whole hours, from 1 hour to 90 days. The default is 30 days.
    /// </summary>
    public TimeSpan Window { get; set; } = RequestAnalyticsDefaults.SloWindow;

    /// <summary>
    /// Gets or sets the Apdex threshold of <see cref="Route"/> (with <see cref="Method"/> when set), overriding
    /// <see cref="RequestAnalyticsOptions.ApdexThreshold"/> for it; needs <see cref="Route"/>. From 1 ms to 1 minute.
    /// </summary>
    public TimeSpan? ApdexThreshold { get; set; }

    /// <summary>
    /// Gets or sets whether the objective gets the SRE workbook's two burn-rate alert rules (14.4× over 1 hour and
    /// 5 minutes; 6× over 6 hours and 30 minutes), ids <c>slo-{name}-fast</c> and <c>slo-{name}-slow</c>. The default is
    /// <see langword="true"/>.
    /// </summary>
    public bool BurnRateAlerts { get; set; } = true;
}
