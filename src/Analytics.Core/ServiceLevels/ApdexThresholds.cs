namespace Analytics.ServiceLevels;

/// <summary>
/// The Apdex threshold T of each route, in microseconds (the sketches' unit): <see cref="RequestAnalyticsOptions.ApdexThreshold"/>,
/// unless an objective in <see cref="RequestAnalyticsOptions.Slos"/> names the route (and method) with its own.
/// </summary>
internal sealed class ApdexThresholds
{
    private readonly double _default;
    private readonly Dictionary<(string Route, string? Method), double> _overrides = [];

    public ApdexThresholds(RequestAnalyticsOptions options)
    {
        _default = options.ApdexThreshold.Ticks / (double)TimeSpan.TicksPerMicrosecond;

        // The first objective that names a route and method wins, as the validator reads them in order.
        foreach (var slo in options.Slos)
        {
            if (!string.IsNullOrWhiteSpace(slo.Route) && slo.ApdexThreshold is { } threshold)
            {
                var method = string.IsNullOrWhiteSpace(slo.Method) ? null : slo.Method.Trim().ToUpperInvariant();
                _overrides.TryAdd((slo.Route, method), threshold.Ticks / (double)TimeSpan.TicksPerMicrosecond);
            }
        }
    }

    /// <summary>Gets whether an objective sets T for a route: then a score needs each row's route and method.</summary>
    public bool PerRoute => _overrides.Count > 0;

    /// <summary>Gets T for a route and method: an override for both, else one for the route, else the default.</summary>
    public double For(string route, string method) =>
        _overrides.Count == 0 ? _default
        : _overrides.TryGetValue((route, method), out var exact) ? exact
        : _overrides.TryGetValue((route, null), out var any) ? any
        : _default;
}
