namespace Analytics.Storage;

/// <summary>A threshold alert rule, with the state its evaluation left it in.</summary>
public sealed record AlertRule
{
    /// <summary>Gets the id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name shown in alerts.</summary>
    public required string Name { get; init; }

    /// <summary>Gets what is measured.</summary>
    public required AlertMetric Metric { get; init; }

    /// <summary>Gets the route template the request metrics are limited to, or <see langword="null"/> for every route.</summary>
    public string? Route { get; init; }

    /// <summary>Gets the HTTP method the request metrics are limited to, or <see langword="null"/> for every method.</summary>
    public string? Method { get; init; }

    /// <summary>
    /// Gets the custom-event name <see cref="AlertMetric.EventCount"/> counts (and <see cref="AlertMetric.ChangeRatio"/>
    /// compares, instead of requests), or <see langword="null"/> for every name.
    /// </summary>
    public string? EventName { get; init; }

    /// <summary>Gets the name of the objective whose burn rate <see cref="AlertMetric.BurnRate"/> measures, or <see langword="null"/>.</summary>
    public string? Slo { get; init; }

    /// <summary>Gets the health check <see cref="AlertMetric.HealthCheck"/> watches, or <see langword="null"/> for every check.</summary>
    public string? Check { get; init; }

    /// <summary>Gets the window measured: whole minutes, from 1 minute to 1 day.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>Gets how the value is compared with <see cref="Threshold"/>.</summary>
    public AlertOperator Operator { get; init; }

    /// <summary>
    /// Gets the threshold: a share from 0 to 1 for <see cref="AlertMetric.ErrorRate"/>, milliseconds for the
    /// percentiles, a count, or a ratio.
    /// </summary>
    public required double Threshold { get; init; }

    /// <summary>Gets whether the rule is evaluated.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Gets where the rule was defined.</summary>
    public DefinitionSource Source { get; init; }

    /// <summary>Gets whether the rule is firing: it crossed its threshold and has not recovered since.</summary>
    public bool Firing { get; init; }

    /// <summary>Gets when <see cref="Firing"/> last changed, or <see langword="null"/> if it never did.</summary>
    public DateTimeOffset? FiringChangedAt { get; init; }

    /// <summary>Gets the value measured at that change, or <see langword="null"/>.</summary>
    public double? LastValue { get; init; }

    /// <summary>Tells whether two rules measure the same thing the same way (their definitions match; state and source aside).</summary>
    /// <param name="other">The other rule.</param>
    /// <returns><see langword="true"/> when a rule changed from one to the other keeps its state.</returns>
    public bool SameDefinitionAs(AlertRule other) =>
        other is not null
        && Id == other.Id && Name == other.Name && Metric == other.Metric && Route == other.Route && Method == other.Method
        && EventName == other.EventName && Slo == other.Slo && Check == other.Check && Window == other.Window && Operator == other.Operator
        && Threshold.Equals(other.Threshold) && Enabled == other.Enabled;
}
