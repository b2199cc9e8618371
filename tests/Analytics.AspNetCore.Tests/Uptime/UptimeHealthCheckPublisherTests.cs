using Analytics.Alerts;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Uptime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.AspNetCore.Tests.Uptime;

/// <summary>
/// The publisher AddRequestAnalytics registers, called as the host's health-check publisher service calls it, over an
/// in-memory store and a fake clock, and the uptime answered from what it stored (threshold 2 unless said otherwise).
/// </summary>
public sealed class UptimeHealthCheckPublisherTests : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeStore _store = new(allCapabilities: true);
    private readonly List<ServiceProvider> _providers = [];

    [Fact]
    public async Task ASingleUnhealthyBlipOpensNoIncident()
    {
        var web = Instance("web-1");
        var times = await PublishAsync(web, "db", HealthStatus.Healthy, HealthStatus.Unhealthy, HealthStatus.Healthy, HealthStatus.Healthy);

        var db = Assert.Single(await UptimeAsync());

        Assert.Equal("db", db.Check);
        Assert.Empty(db.Incidents);
        Assert.Equal(UptimeStatus.Healthy, db.Status);
        Assert.Equal(75.0, db.UptimePercent);
        Assert.Equal(times[2], db.LastChange); // the first healthy report after the blip
    }

    [Fact]
    public async Task TwoUnhealthyReportsInARowOpenAnIncidentAtTheFirstAndTwoHealthyOnesCloseIt()
    {
        var web = Instance("web-1");
        var times = await PublishAsync(web, "db", HealthStatus.Healthy, HealthStatus.Unhealthy, HealthStatus.Unhealthy);

        var open = Assert.Single(Assert.Single(await UptimeAsync()).Incidents);
        Assert.Equal(("web-1", times[1], (DateTimeOffset?)null, UptimeStatus.Unhealthy), (open.Instance, open.Start, open.End, open.Status));
        Assert.Equal("db report 1", open.Description); // the first unhealthy report's

        // One healthy report, then unhealthy again: still the same incident. Two healthy in a row close it at the first.
        times = [.. times, .. await PublishAsync(web, "db", HealthStatus.Healthy, HealthStatus.Unhealthy, HealthStatus.Healthy, HealthStatus.Healthy)];

        var db = Assert.Single(await UptimeAsync());
        var closed = Assert.Single(db.Incidents);
        Assert.Equal((times[1], (DateTimeOffset?)times[5]), (closed.Start, closed.End));
        Assert.Equal(UptimeStatus.Healthy, db.Status);
        Assert.Equal(100.0 * 4 / 7, db.UptimePercent!.Value, 12);
        Assert.Equal(times[5], db.LastChange);
    }

    [Fact]
    public async Task IncidentsAreNewestFirstAndATrailingBlipDoesNotOpenOne()
    {
        var web = Instance("web-1");
        var times = await PublishAsync(web, "db",
            HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Healthy, HealthStatus.Healthy,
            HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Healthy, HealthStatus.Unhealthy);

        var db = Assert.Single(await UptimeAsync());

        Assert.Equal([(times[4], (DateTimeOffset?)null), (times[0], times[2])], db.Incidents.Select(i => (i.Start, i.End)));
        Assert.Equal(UptimeStatus.Unhealthy, db.Status);
        Assert.Equal(times[8], db.LastChange);
    }

    [Fact]
    public async Task DegradedCountsAsUp()
    {
        var web = Instance("web-1");
        var times = await PublishAsync(web, "db", HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Degraded, HealthStatus.Degraded);

        var db = Assert.Single(await UptimeAsync());

        var incident = Assert.Single(db.Incidents);
        Assert.Equal((times[0], (DateTimeOffset?)times[2]), (incident.Start, incident.End));
        Assert.Equal(UptimeStatus.Degraded, db.Status);
        Assert.Equal(50.0, db.UptimePercent);
        Assert.Equal(times[2], db.LastChange);
    }

    [Fact]
    public async Task TwoInstancesAreKeptApart()
    {
        var web1 = Instance("web-1");
        var web2 = Instance("web-2");

        // Alternating: each instance has single blips only, though the reports of both together have two in a row.
        var t0 = await PublishAsync(web1, "db", HealthStatus.Unhealthy);
        await PublishAsync(web2, "db", HealthStatus.Healthy, advance: false);
        await PublishAsync(web1, "db", HealthStatus.Healthy);
        await PublishAsync(web2, "db", HealthStatus.Unhealthy, advance: false);
        await PublishAsync(web1, "db", HealthStatus.Unhealthy);
        await PublishAsync(web2, "db", HealthStatus.Healthy, advance: false);
        Assert.Empty(Assert.Single(await UptimeAsync()).Incidents);

        await PublishAsync(web1, "db", HealthStatus.Healthy);
        var down = await PublishAsync(web2, "db", HealthStatus.Unhealthy, advance: false);
        await PublishAsync(web1, "db", HealthStatus.Healthy);
        await PublishAsync(web2, "db", HealthStatus.Unhealthy, advance: false);

        var db = Assert.Single(await UptimeAsync());
        var incident = Assert.Single(db.Incidents);
        Assert.Equal(("web-2", down[0], (DateTimeOffset?)null), (incident.Instance, incident.Start, incident.End));
        Assert.Equal(UptimeStatus.Unhealthy, db.Status); // the worst of each instance's latest
        Assert.Equal(50.0, db.UptimePercent);

        var onlyWeb1 = Assert.Single(await UptimeAsync(instance: "web-1"));
        Assert.Empty(onlyWeb1.Incidents);
        Assert.Equal(UptimeStatus.Healthy, onlyWeb1.Status);
        Assert.True(t0[0] < down[0]);
    }

    [Fact]
    public async Task EachEntryIsStoredWithThisInstanceTheTimeAndADescriptionCutTo500Characters()
    {
        var publisher = Instance("web-1");
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                ["db"] = new(HealthStatus.Unhealthy, new string('x', 499) + "😀tail", TimeSpan.FromMilliseconds(12.5), null, null),
                ["cache"] = new(HealthStatus.Degraded, null, TimeSpan.FromMilliseconds(1), new TimeoutException("timed out"), null),
                ["queue"] = new(HealthStatus.Healthy, null, TimeSpan.Zero, null, null),
            },
            TimeSpan.FromMilliseconds(13));

        await publisher.PublishAsync(report, default);

        var samples = _store.HealthCheckSamples.ToDictionary(s => s.Check);
        Assert.All(samples.Values, s => Assert.Equal(("web-1", _clock.GetUtcNow()), (s.Instance, s.Time)));
        Assert.Equal(new string('x', 499), samples["db"].Description); // not half of the emoji's surrogate pair
        Assert.Equal((UptimeStatus.Unhealthy, TimeSpan.FromMilliseconds(12.5)), (samples["db"].Status, samples["db"].Duration));
        Assert.Equal((UptimeStatus.Degraded, "timed out"), (samples["cache"].Status, samples["cache"].Description));
        Assert.Equal((UptimeStatus.Healthy, (string?)null), (samples["queue"].Status, samples["queue"].Description));
    }

    [Fact]
    public async Task WhenTheStoreFailsThePublisherNeverThrowsCountsTheFailuresAndWarnsOnceAMinute()
    {
        var services = Services("web-1");
        var publisher = Publisher(services);
        var logs = services.GetFakeLogCollector();
        _store.Fail = true;

        for (int i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(Report("db", HealthStatus.Healthy, "ok"), default);
        }

        Assert.Equal(3, publisher.Failures);
        var warning = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 175);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.IsType<IOException>(warning.Exception);

        _clock.Advance(TimeSpan.FromMinutes(1));
        await publisher.PublishAsync(Report("db", HealthStatus.Healthy, "ok"), default);
        var warnings = logs.GetSnapshot().Where(r => r.Id.Id == 175).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("3 health reports", warnings[1].Message); // the two held back and this one
        Assert.Equal(4, publisher.Failures);
        Assert.Empty(_store.HealthCheckSamples);

        _store.Fail = false;
        await publisher.PublishAsync(Report("db", HealthStatus.Healthy, "ok"), default);
        Assert.Single(_store.HealthCheckSamples);
    }

    [Fact]
    public async Task AStoreThatKeepsNoSamplesCostsNothingAndTheAnswerIsEmpty()
    {
        var store = new FakeStore();
        var services = Services("web-1", store);

        await Publisher(services).PublishAsync(Report("db", HealthStatus.Unhealthy, "down"), default);

        Assert.Empty(store.HealthCheckSamples);
        var queries = services.GetRequiredService<IAnalyticsQueries>();
        Assert.Empty(await queries.GetUptimeAsync(new AnalyticsQuery { From = _clock.GetUtcNow().AddHours(-1), To = _clock.GetUtcNow() }));
    }

    [Fact]
    public async Task TheThresholdComesFromTheOptions()
    {
        var web = Instance("web-1", threshold: 3);
        await PublishAsync(web, "db", HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Healthy);
        Assert.Empty(Assert.Single(await UptimeAsync()).Incidents);

        await PublishAsync(web, "db", HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Unhealthy);
        Assert.Single(Assert.Single(await UptimeAsync()).Incidents);
    }

    [Fact]
    public async Task AHealthCheckRuleFiresOnceWhenAnIncidentOpensAndResolvesOnceWhenItCloses()
    {
        var services = Services("web-1", configure: o => o.Alerts.Add(new AlertRuleOptions
        {
            Id = "db-down", Metric = AlertMetric.HealthCheck, Check = "db",
        }));
        var publisher = Publisher(services);
        var evaluator = services.GetRequiredService<AlertEvaluator>();

        // An evaluation flushes the request pipeline first, so its writer runs, as in a host.
        var writer = services.GetRequiredService<Analytics.Pipeline.AnalyticsWriter>();
        await writer.StartAsync(default);
        var changes = new List<(HealthStatus After, bool Triggered, double Value)>();
        async Task StepAsync(HealthStatus status)
        {
            await PublishAsync(publisher, "db", status);
            await PublishAsync(publisher, "cache", HealthStatus.Unhealthy, advance: false); // another check's incident
            _clock.Advance(TimeSpan.FromSeconds(1)); // the evaluator reads up to now, exclusive
            var evaluated = await evaluator.EvaluateAsync(default).WaitAsync(TimeSpan.FromSeconds(30));
            changes.AddRange(evaluated.Select(c => (status, c.Triggered, c.Value)));
        }

        HealthStatus[] statuses =
        [
            HealthStatus.Healthy, HealthStatus.Unhealthy, HealthStatus.Healthy, // a blip
            HealthStatus.Unhealthy, HealthStatus.Unhealthy, HealthStatus.Unhealthy, // opens at the second
            HealthStatus.Healthy, HealthStatus.Unhealthy, HealthStatus.Degraded, HealthStatus.Healthy, HealthStatus.Healthy, // closes
        ];
        foreach (var status in statuses)
        {
            await StepAsync(status);
        }

        Assert.Equal([(HealthStatus.Unhealthy, true, 1d), (HealthStatus.Healthy, false, 0d)], changes);
        var db = Assert.Single(await UptimeAsync(), c => c.Check == "db");
        Assert.NotNull(Assert.Single(db.Incidents).End);
        await writer.StopAsync(default);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }

    private UptimeHealthCheckPublisher Instance(string name, int threshold = 2) => Publisher(Services(name, threshold: threshold));

    private static UptimeHealthCheckPublisher Publisher(IServiceProvider services) =>
        Assert.Single(services.GetServices<IHealthCheckPublisher>().OfType<UptimeHealthCheckPublisher>());

    private ServiceProvider Services(
        string instance, FakeStore? store = null, int threshold = 2, Action<RequestAnalyticsOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging(logging => logging.AddFakeLogging());
        services.AddRequestAnalytics(o =>
        {
            o.InstanceName = instance;
            o.UptimeFailureThreshold = threshold;
            configure?.Invoke(o);
        });
        services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(store ?? _store));
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_clock));
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    /// <summary>Publishes one report per status, <see cref="Period"/> apart as the publisher service would; returns their times.</summary>
    private async Task<DateTimeOffset[]> PublishAsync(UptimeHealthCheckPublisher publisher, string check, params HealthStatus[] statuses) =>
        await PublishAsync(publisher, check, advance: true, statuses);

    private async Task<DateTimeOffset[]> PublishAsync(
        UptimeHealthCheckPublisher publisher, string check, HealthStatus status, bool advance) =>
        await PublishAsync(publisher, check, advance, [status]);

    private async Task<DateTimeOffset[]> PublishAsync(
        UptimeHealthCheckPublisher publisher, string check, bool advance, HealthStatus[] statuses)
    {
        var times = new DateTimeOffset[statuses.Length];
        for (int i = 0; i < statuses.Length; i++)
        {
            if (advance)
            {
                _clock.Advance(Period);
            }

            times[i] = _clock.GetUtcNow();
            await publisher.PublishAsync(Report(check, statuses[i], $"{check} report {_store.HealthCheckSamples.Count}"), default);
        }

        return times;
    }

    private static HealthReport Report(string check, HealthStatus status, string description) =>
        new(new Dictionary<string, HealthReportEntry> { [check] = new(status, description, TimeSpan.FromMilliseconds(3), null, null) },
            TimeSpan.FromMilliseconds(3));

    private Task<IReadOnlyList<UptimeCheck>> UptimeAsync(string? instance = null)
    {
        var now = _clock.GetUtcNow();
        var queries = _providers[0].GetRequiredService<IAnalyticsQueries>();
        return queries.GetUptimeAsync(new AnalyticsQuery { From = now.AddHours(-1), To = now.AddTicks(1), Instance = instance });
    }
}
