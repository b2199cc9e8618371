using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>An alert rule's definition, as <c>POST {prefix}/api/alerts</c> and <c>PUT {prefix}/api/alerts/{id}</c> take it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record AlertRuleInput
{
    [Description("A name for people.")]
    [StringLength(DefinitionChecks.MaxNameLength, MinimumLength = 1)]
    public required string Name { get; init; }

    [Description("What is measured over the window.")]
    public required AlertMetric Metric { get; init; }

    [Description("Only requests to this route template.")]
    [StringLength(DefinitionChecks.MaxFilterLength)]
    public string? Route { get; init; }

    [Description("Only requests with this HTTP method.")]
    public string? Method { get; init; }

    [Description("With eventCount or changeRatio: only custom events of this name.")]
    [StringLength(RequestAnalyticsDefaults.MaxEventNameLength)]
    public string? EventName { get; init; }

    [Description("With burnRate (required): the name of an objective declared in RequestAnalytics:Slos.")]
    [StringLength(DefinitionChecks.MaxIdLength)]
    public string? Slo { get; init; }

    [Description("With healthCheck: only open incidents of this health check; every check when unset.")]
    [StringLength(DefinitionChecks.MaxCheckLength)]
    public string? Check { get; init; }

    [Description("The span measured, in whole minutes from 1m to 1d: 5m, 2h, 1d.")]
    [DefaultValue("5m")]
    public string? Window { get; init; }

    [Description("How the value is compared with the threshold.")]
    [DefaultValue(AlertOperator.GreaterThan)]
    public AlertOperator? Operator { get; init; }

    [Description("The value that fires the rule: a share from 0 to 1 for errorRate, milliseconds for p95 and p99, " +
        "a count for requestCount and eventCount, a ratio for changeRatio, " +
        "a burn rate for burnRate (14.4 spends 2 % of a 30-day budget in an hour), a count of open incidents for healthCheck.")]
    public required double Threshold { get; init; }

    [Description("Whether the rule is evaluated.")]
    [DefaultValue(true)]
    public bool? Enabled { get; init; }
}
