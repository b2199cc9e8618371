using Analytics.Storage;
using Microsoft.Extensions.Logging;

namespace Analytics.Alerts;

/// <summary>
/// The metrics of issue 25: an objective's burn rate (<see cref="AlertMetric.BurnRate"/>) and open uptime incidents
/// (<see cref="AlertMetric.HealthCheck"/>); and the burn-rate rules each objective declares.
/// </summary>
internal sealed partial class AlertEvaluator
{
    // The SRE workbook's multi-window, multi-burn-rate alerts for a 30-day objective: 2 % of the budget spent in an hour
    // pages (14.4×), 5 % in six hours opens a ticket (6×); each also needs its twelfth-length window burning, so that an
    // alert resolves minutes after the burning stops instead of an hour later.
    internal static readonly (string Suffix, string Name, TimeSpan Window, double Threshold)[] BurnRateRules =
    [
        ("fast", "fast burn", TimeSpan.FromHours(1), 14.4),
        ("slow", "slow burn", TimeSpan.FromHours(6), 6),
    ];

    /// <summary>The burn-rate rules of the objectives that want them, ids <c>slo-{name}-fast</c> and <c>slo-{name}-slow</c>.</summary>
    internal static IEnumerable<AlertRule> SloRules(RequestAnalyticsOptions options) =>
        from slo in options.Slos
        where slo.BurnRateAlerts && DefinitionChecks.IsValidId(slo.Name)
        from r in BurnRateRules
        select new AlertRule
        {
            Id = SloRuleId(slo.Name!, r.Suffix),
            Name = $"SLO {slo.Name}: {r.Name}",
            Metric = AlertMetric.BurnRate,
            Slo = slo.Name,
            Window = r.Window,
            Operator = AlertOperator.GreaterThanOrEqual,
            Threshold = r.Threshold,
            Source = DefinitionSource.Options,
        };

    private readonly HashSet<string> _unknownSloRules = new(StringComparer.Ordinal);

    [LoggerMessage(EventId = 170, EventName = "AlertUnknownSlo", Level = LogLevel.Warning,
        Message = "Alert rule '{Rule}' measures the burn rate of the objective '{Slo}', which is not declared in " +
            "RequestAnalytics:Slos; it is not evaluated.")]
    private static partial void LogUnknownSlo(ILogger logger, string rule, string slo);

    internal static string SloRuleId(string slo, string suffix) => $"slo-{slo}-{suffix}";

    /// <summary>
    /// The smaller of the burn rates over the window and over a twelfth of it; a span without requests burned nothing
    /// (so a rule resolves when traffic stops). <see langword="null"/> for an objective not declared (any more).
    /// </summary>
    private async Task<double?> BurnRateAsync(AlertRule rule, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        if (_options.Slos.FirstOrDefault(s => string.Equals(s.Name, rule.Slo, StringComparison.Ordinal)) is not { } slo)
        {
            // A rule made through the API outlives an objective removed from options; said once per rule (evaluations are serial).
            if (_unknownSloRules.Add(rule.Id))
            {
                LogUnknownSlo(_logger, rule.Id, rule.Slo ?? string.Empty);
            }

            return null;
        }

        var now = _timeProvider.GetUtcNow();
        var shortStart = end - TimeSpan.FromTicks(rule.Window.Ticks / 12);
        var filters = ((string?)null, (string?)null, (string?)null);
        var whole = await _slos.CountAsync(slo, filters, start, end, now, cancellationToken).ConfigureAwait(false);
        var recent = await _slos.CountAsync(slo, filters, Granularity.Minute.Floor(shortStart), end, now, cancellationToken).ConfigureAwait(false);
        return Math.Min(whole.BurnRate(slo.Objective) ?? 0, recent.BurnRate(slo.Objective) ?? 0);
    }

    /// <summary>The incidents still open over the last day, of the rule's check or of every check.</summary>
    private async Task<double?> OpenIncidentsAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var checks = await _queries.GetUptimeAsync(new AnalyticsQuery { From = now - TimeSpan.FromDays(1), To = now }, cancellationToken)
            .ConfigureAwait(false);
        return checks
            .Where(c => rule.Check is null || string.Equals(c.Check, rule.Check, StringComparison.Ordinal))
            .Sum(c => c.Incidents.Count(i => i.End is null));
    }
}
