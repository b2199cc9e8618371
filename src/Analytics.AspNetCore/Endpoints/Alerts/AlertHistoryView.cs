using Analytics.Alerts;
using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// One change of an alert rule's state; the same fields as the <c>data</c> of
/// <c>alert.triggered</c>/<c>alert.resolved</c>, plus the entry's id.
/// </summary>
internal sealed record AlertHistoryView
{
    public required long Id { get; init; }

    public required AlertStateChange State { get; init; }

    public required string RuleId { get; init; }

    public required string Name { get; init; }

    public required AlertMetric Metric { get; init; }

    public string? Route { get; init; }

    public string? Method { get; init; }

    public string? EventName { get; init; }

    public required string Window { get; init; }

    public required AlertOperator Operator { get; init; }

    public required double Threshold { get; init; }

    public required double Value { get; init; }

    public required DateTimeOffset WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    public required DateTimeOffset Time { get; init; }

    public static AlertHistoryView From(AlertTransition t) => new()
    {
        Id = t.Id,
        State = t.Triggered ? AlertStateChange.Triggered : AlertStateChange.Resolved,
        RuleId = t.Rule.Id,
        Name = t.Rule.Name,
        Metric = t.Rule.Metric,
        Route = t.Rule.Route,
        Method = t.Rule.Method,
        EventName = t.Rule.EventName,
        Window = AlertText.Window(t.Rule.Window),
        Operator = t.Rule.Operator,
        Threshold = t.Rule.Threshold,
        Value = t.Value,
        WindowStart = t.WindowStart,
        WindowEnd = t.WindowEnd,
        Time = t.Time,
    };
}
