using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Analytics.AspNetCore.Tests;

public class HealthCheckTests
{
    [Fact]
    public async Task TheCheckIsHealthyOnAWorkingStoreAndUnhealthyOnAFailingOne()
    {
        var store = new FakeStore();
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.MapGet("/ok", () => "ok"),
            configureBuilder: builder =>
            {
                builder.Services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(store));
                builder.Services.AddHealthChecks().AddRequestAnalyticsCheck();
            });
        var health = host.App.Services.GetRequiredService<HealthCheckService>();

        var healthy = await health.CheckHealthAsync();
        store.Fail = true;
        var unhealthy = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Entries["request-analytics"].Status);
        Assert.Contains("store", unhealthy.Entries["request-analytics"].Description);
    }
}
