using Analytics.Alerts;
using Analytics.ServiceLevels;

namespace Analytics.Tests.ServiceLevels;

/// <summary>The options checks of the Apdex threshold, the objectives and their burn-rate rules (RequestAnalyticsOptionsValidator.ServiceLevels.cs).</summary>
public class ServiceLevelOptionsTests
{
    private readonly RequestAnalyticsOptionsValidator _validator = new();

    private static SloOptions Slo(Action<SloOptions>? spoil = null)
    {
        var slo = new SloOptions { Name = "checkout", Route = "/orders/{id}", Method = "POST", Objective = 0.999 };
        spoil?.Invoke(slo);
        return slo;
    }

    public static TheoryData<string, Action<RequestAnalyticsOptions>> BadOptions => new()
    {
        { "RequestAnalytics:ApdexThreshold", o => o.ApdexThreshold = TimeSpan.Zero },
        { "RequestAnalytics:ApdexThreshold", o => o.ApdexThreshold = TimeSpan.FromMinutes(2) },
        { "RequestAnalytics:Slos:0:Name", o => o.Slos.Add(Slo(s => s.Name = null)) },
        { "RequestAnalytics:Slos:0:Name", o => o.Slos.Add(Slo(s => s.Name = "has space")) },
        { "RequestAnalytics:Slos:0:Name", o => o.Slos.Add(Slo(s => s.Name = new string('n', 65))) },
        { "RequestAnalytics:Slos:1:Name", o => { o.Slos.Add(Slo()); o.Slos.Add(Slo()); } },
        { "RequestAnalytics:Slos:0:Objective", o => o.Slos.Add(Slo(s => s.Objective = 0)) },
        { "RequestAnalytics:Slos:0:Objective", o => o.Slos.Add(Slo(s => s.Objective = 1)) },
        { "RequestAnalytics:Slos:0:Objective", o => o.Slos.Add(Slo(s => s.Objective = 99.9)) },
        { "RequestAnalytics:Slos:0:Objective", o => o.Slos.Add(Slo(s => s.Objective = double.NaN)) },
        { "RequestAnalytics:Slos:0:LatencyThreshold", o => o.Slos.Add(Slo(s => s.LatencyThreshold = TimeSpan.FromMicroseconds(500))) },
        { "RequestAnalytics:Slos:0:LatencyThreshold", o => o.Slos.Add(Slo(s => s.LatencyThreshold = TimeSpan.FromHours(2))) },
        { "RequestAnalytics:Slos:0:Window", o => o.Slos.Add(Slo(s => s.Window = TimeSpan.FromMinutes(30))) },
        { "RequestAnalytics:Slos:0:Window", o => o.Slos.Add(Slo(s => s.Window = TimeSpan.FromMinutes(90))) },
        { "RequestAnalytics:Slos:0:Window", o => o.Slos.Add(Slo(s => s.Window = TimeSpan.FromDays(91))) },
        { "RequestAnalytics:Slos:0:ApdexThreshold", o => o.Slos.Add(Slo(s => s.ApdexThreshold = TimeSpan.Zero)) },
        { "RequestAnalytics:Slos:0:ApdexThreshold", o => o.Slos.Add(Slo(s => s.ApdexThreshold = TimeSpan.FromMinutes(5))) },
        { "RequestAnalytics:Slos:0:ApdexThreshold", o => o.Slos.Add(Slo(s => { s.Route = null; s.ApdexThreshold = TimeSpan.FromMilliseconds(300); })) },
        { "RequestAnalytics:Slos:0:Method", o => o.Slos.Add(Slo(s => s.Method = "GE T")) },
        { "RequestAnalytics:Slos:0:Method", o => o.Slos.Add(Slo(s => s.Method = "")) },
        { "RequestAnalytics:Slos:0:Method", o => o.Slos.Add(Slo(s => s.Method = "GET/1")) },
        { "RequestAnalytics:Slos:0:Route", o => o.Slos.Add(Slo(s => s.Route = "/" + new string('r', 500))) },
        { "RequestAnalytics:Alerts:0:Id", o => { o.Slos.Add(Slo()); o.Alerts.Add(new AlertRuleOptions { Id = "slo-checkout-fast", Threshold = 0.1 }); } },
        { "RequestAnalytics:Alerts:0:Slo", o => o.Alerts.Add(new AlertRuleOptions { Id = "burn", Metric = AlertMetric.BurnRate, Threshold = 10 }) },
        { "RequestAnalytics:Alerts:0:Slo", o => o.Alerts.Add(new AlertRuleOptions { Id = "burn", Metric = AlertMetric.BurnRate, Slo = "nope", Threshold = 10 }) },
        { "RequestAnalytics:Alerts:0:Slo", o => { o.Slos.Add(Slo()); o.Alerts.Add(new AlertRuleOptions { Id = "e", Slo = "checkout", Threshold = 0.1 }); } },
        { "RequestAnalytics:Alerts:0:Threshold", o => { o.Slos.Add(Slo()); o.Alerts.Add(new AlertRuleOptions { Id = "b", Metric = AlertMetric.BurnRate, Slo = "checkout", Threshold = -1 }); } },
        { "RequestAnalytics:Alerts:0:Check", o => o.Alerts.Add(new AlertRuleOptions { Id = "e", Check = "database", Threshold = 0.1 }) },
        { "RequestAnalytics:Alerts:0:Check", o => o.Alerts.Add(new AlertRuleOptions { Id = "h", Metric = AlertMetric.HealthCheck, Check = new string('c', 101) }) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void EachBadValueFailsNamingTheOption(string option, Action<RequestAnalyticsOptions> spoil)
    {
        var options = new RequestAnalyticsOptions();
        spoil(options);

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(option + ":", result.FailureMessage + ":", StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectivesAtTheirLimitsAndTheirRulesAreValid()
    {
        var options = new RequestAnalyticsOptions { ApdexThreshold = TimeSpan.FromMinutes(1) };
        options.Slos.Add(Slo(s =>
        {
            s.LatencyThreshold = TimeSpan.FromHours(1);
            s.Window = TimeSpan.FromDays(90);
            s.ApdexThreshold = TimeSpan.FromMilliseconds(1);
            s.Objective = 0.000001;
        }));
        options.Slos.Add(new SloOptions { Name = "all.requests_1", Objective = 0.999999, Window = TimeSpan.FromHours(1), Method = "PROPFIND" });
        options.Alerts.Add(new AlertRuleOptions { Id = "checkout-burn", Metric = AlertMetric.BurnRate, Slo = "checkout", Threshold = 2, Window = TimeSpan.FromHours(3) });
        options.Alerts.Add(new AlertRuleOptions { Id = "db", Metric = AlertMetric.HealthCheck, Check = "database" });

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void EachObjectiveDeclaresAFastAndASlowBurnRateRuleUnlessItOptsOut()
    {
        var options = new RequestAnalyticsOptions();
        options.Slos.Add(Slo());
        options.Slos.Add(new SloOptions { Name = "quiet", Objective = 0.99, BurnRateAlerts = false });

        var rules = AlertEvaluator.SloRules(options).ToList();

        Assert.Equal(["slo-checkout-fast", "slo-checkout-slow"], rules.Select(r => r.Id));
        Assert.All(rules, r => Assert.Equal((AlertMetric.BurnRate, "checkout", AlertOperator.GreaterThanOrEqual), (r.Metric, r.Slo, r.Operator)));
        Assert.Equal([(TimeSpan.FromHours(1), 14.4), (TimeSpan.FromHours(6), 6d)], rules.Select(r => (r.Window, r.Threshold)));
    }
}
