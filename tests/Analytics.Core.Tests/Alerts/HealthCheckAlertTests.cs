using System.Reflection;
using Analytics.Alerts;
using Analytics.Testing;
using Analytics.Uptime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Alerts;

/// <summary>
/// The healthCheck metric counts the open incidents that <see cref="IAnalyticsQueries.GetUptimeAsync"/> reports over the
/// last day, of one check or of all; here the uptime answer is given, the rest of the queries are the real ones.
/// </summary>
public class HealthCheckAlertTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 5, TimeSpan.Zero);

    [Fact]
    public async Task ARuleFiresOnAnOpenIncidentOfItsCheckAndAnUnscopedRuleCountsEveryCheck()
    {
        var clock = new FakeTimeProvider(Now);
        var store = new FakeStore(allCapabilities: true);
        var uptime = new List<UptimeCheck>
        {
            Check("database", Incident(open: true), Incident(open: false)),
            Check("cache", Incident(open: true)),
            Check("queue", Incident(open: false)),
        };
        await using var harness = new PipelineHarness(
            o =>
            {
                o.AlertInterval = TimeSpan.FromHours(1);
                o.Alerts.Add(new AlertRuleOptions { Id = "database", Metric = AlertMetric.HealthCheck, Check = "database" });
                o.Alerts.Add(new AlertRuleOptions { Id = "queue", Metric = AlertMetric.HealthCheck, Check = "queue" });
                o.Alerts.Add(new AlertRuleOptions { Id = "any", Metric = AlertMetric.HealthCheck, Threshold = 1 });
            },
            timeProvider: clock,
            store: store,
            configureServices: services => services.AddSingleton(sp => UptimeQueries.Over(
                ActivatorUtilities.CreateInstance<Analytics.Queries.AnalyticsQueries>(sp), uptime)));
        await harness.StartAsync();
        var evaluator = harness.Services.GetRequiredService<AlertEvaluator>();

        var changes = await evaluator.EvaluateAsync(default);

        Assert.Equal([("any", 2d), ("database", 1d)], changes.Select(c => (c.Rule.Id, c.Value)).Order());
        Assert.All(changes, c => Assert.True(c.Triggered));
    }

    private static UptimeCheck Check(string name, params UptimeIncident[] incidents) =>
        new() { Check = name, Status = UptimeStatus.Unhealthy, Incidents = incidents };

    private static UptimeIncident Incident(bool open) => new()
    {
        Instance = "web-1", Start = Now.AddHours(-2), End = open ? null : Now.AddHours(-1), Status = UptimeStatus.Unhealthy,
    };

    /// <summary>The real queries, but with a given uptime answer.</summary>
    public class UptimeQueries : DispatchProxy
    {
        private IAnalyticsQueries _inner = null!;
        private IReadOnlyList<UptimeCheck> _uptime = [];

        public static IAnalyticsQueries Over(IAnalyticsQueries inner, IReadOnlyList<UptimeCheck> uptime)
        {
            var proxy = Create<IAnalyticsQueries, UptimeQueries>();
            var self = (UptimeQueries)(object)proxy;
            (self._inner, self._uptime) = (inner, uptime);
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IAnalyticsQueries.GetUptimeAsync)
                ? Task.FromResult(_uptime)
                : targetMethod.Invoke(_inner, args);
    }
}
