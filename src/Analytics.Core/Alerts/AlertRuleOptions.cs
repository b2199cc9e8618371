namespace Analytics.Alerts;

/// <summary>An alert rule declared in configuration, under <c>RequestAnalytics:Alerts</c>.</summary>
public sealed class AlertRuleOptions
{
    /// <summary>Gets or sets the rule's id: 1 to 64 letters, digits, '-', '_' or '.'. Required and unique.</summary>
    public string? Id { get; set; }

    /// <summary>Gets or sets the name shown in alerts; the id when unset. At most 200 characters.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets what is measured. The default is <see cref="AlertMetric.ErrorRate"/>.</summary>
    public AlertMetric Metric { get; set; } = AlertMetric.ErrorRate;

    /// <summary>Gets or sets the route template the request metrics are limited to; every route when unset.</summary>
    public string? Route { get; set; }

    /// <summary>Gets or sets the HTTP method the request metrics are limited to; every method when unset.</summary>
    public string? Method { get; set; }

    /// <summary>
    /// Gets or sets the custom-event name counted by <see cref="AlertMetric.EventCount"/> and
    /// <see cref="AlertMetric.ChangeRatio"/>.
    /// </summary>
    public string? EventName { get; set; }

    /// <summary>
    /// Gets or sets the name of the service-level objective (<see cref="RequestAnalyticsOptions.Slos"/>) whose burn rate
    /// <see cref="AlertMetric.BurnRate"/> measures; required by that metric, not allowed with the others.
    /// </summary>
    public string? Slo { get; set; }

    /// <summary>
    /// Gets or sets the health check whose open incidents <see cref="AlertMetric.HealthCheck"/> counts; every check when
    /// unset. Not allowed with the other metrics.
    /// </summary>
    public string? Check { get; set; }

    /// <summary>Gets or sets the window measured: whole minutes, from 1 minute to 1 day. The default is 5 minutes.</summary>
    public TimeSpan Window { get; set; } = RequestAnalyticsDefaults.AlertWindow;

    /// <summary>Gets or sets how the value is compared with the threshold. The default is <see cref="AlertOperator.GreaterThan"/>.</summary>
    public AlertOperator Operator { get; set; } = AlertOperator.GreaterThan;

    /// <summary>
    /// Gets or sets the threshold: a share from 0 to 1 for <see cref="AlertMetric.ErrorRate"/> (0.1 is 10 %),
    /// milliseconds for the percentiles, a count, or a positive ratio for <see cref="AlertMetric.ChangeRatio"/>.
    /// </summary>
    public double Threshold { get; set; }

    /// <summary>Gets or sets whether the rule is evaluated. The default is <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;
}
