using System.Net;
using Analytics.Storage;
using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Analytics.AspNetCore.Tests;

public class RequestAnalyticsHealthCheckTests
{
    [Fact]
    public async Task AFailingStoreDegradesTheCheckByDefaultAndTheHealthEndpointStillAnswers200()
    {
        var store = new FakeStore();
        await using var host = await StartAsync(store, health => health.AddRequestAnalyticsCheck());
        var health = host.App.Services.GetRequiredService<HealthCheckService>();

        var healthy = await health.CheckHealthAsync();
        store.Fail = true;
        var degraded = await health.CheckHealthAsync();
        using var probe = await host.Client.GetAsync("/health");

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("store", degraded.Entries["request-analytics"].Description);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode); // a readiness probe keeps the app in rotation
        Assert.Equal("Degraded", await probe.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AHostThatAsksForUnhealthyGetsA503()
    {
        var store = new FakeStore { Fail = true };
        await using var host = await StartAsync(store, health => health.AddRequestAnalyticsCheck(failureStatus: HealthStatus.Unhealthy));

        using var probe = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, probe.StatusCode);
        Assert.Equal("Unhealthy", await probe.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TagsLetAnAliveProbeLeaveTheCheckOut()
    {
        var store = new FakeStore { Fail = true };
        await using var host = await StartAsync(
            store,
            health => health.AddRequestAnalyticsCheck(failureStatus: HealthStatus.Unhealthy, tags: ["ready"]),
            app => app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }));

        using var alive = await host.Client.GetAsync("/alive");
        using var ready = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var registration = host.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>()
            .Value.Registrations.Single(r => r.Name == "request-analytics");
        Assert.Equal(new[] { "ready" }, registration.Tags);
    }

    [Fact]
    public async Task AStoreThatHangsFailsTheCheckAfterItsTimeout()
    {
        var store = new FakeStore { OnPing = ct => Task.Delay(Timeout.Infinite, ct) };
        await using var host = await StartAsync(store, health => health.AddRequestAnalyticsCheck(timeout: TimeSpan.FromMilliseconds(200)));
        var health = host.App.Services.GetRequiredService<HealthCheckService>();

        var report = await health.CheckHealthAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HealthStatus.Degraded, report.Entries["request-analytics"].Status);
        Assert.Equal(TimeSpan.FromMilliseconds(200), host.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>()
            .Value.Registrations.Single().Timeout);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ANonPositiveTimeoutIsRefusedNamingIt(int milliseconds)
    {
        var services = new ServiceCollection();
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => services.AddHealthChecks().AddRequestAnalyticsCheck(timeout: TimeSpan.FromMilliseconds(milliseconds)));

        Assert.Equal("timeout", error.ParamName);
    }

    private static Task<AnalyticsTestHost> StartAsync(FakeStore store, Action<IHealthChecksBuilder> addCheck, Action<WebApplication>? map = null) =>
        AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet("/ok", () => "ok");
                app.MapHealthChecks("/health");
                map?.Invoke(app);
            },
            configureBuilder: builder =>
            {
                builder.Services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(store));
                addCheck(builder.Services.AddHealthChecks());
            });
}
