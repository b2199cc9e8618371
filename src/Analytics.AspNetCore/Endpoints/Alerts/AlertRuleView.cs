using Analytics.Alerts;
using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>An alert rule and its state, as the API shows it.</summary>
internal sealed record AlertRuleView
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required AlertMetric Metric { get; init; }

    public string? Route { get; init; }

    public string? Method { get; init; }

    public string? EventName { get; init; }

    public string? Slo { get; init; }

    public string? Check { get; init; }

    public required string Window { get; init; }

    public required AlertOperator Operator { get; init; }

    public required double Threshold { get; init; }

    public required bool Enabled { get; init; }

    public required DefinitionSource Source { get; init; }

    public required AlertRuleState State { get; init; }

    public DateTimeOffset? StateChangedAt { get; init; }

    public double? LastValue { get; init; }

    public static AlertRuleView From(AlertRule r) => new()
    {
        Id = r.Id,
        Name = r.Name,
        Metric = r.Metric,
        Route = r.Route,
        Method = r.Method,
        EventName = r.EventName,
        Slo = r.Slo,
        Check = r.Check,
        Window = AlertText.Window(r.Window),
        Operator = r.Operator,
        Threshold = r.Threshold,
        Enabled = r.Enabled,
        Source = r.Source,
        State = r.Firing ? AlertRuleState.Firing : AlertRuleState.Ok,
        StateChangedAt = r.FiringChangedAt,
        LastValue = r.LastValue,
    };
}
