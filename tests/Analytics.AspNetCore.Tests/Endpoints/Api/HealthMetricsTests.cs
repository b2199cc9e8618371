using System.Net;
using System.Text.Json;
using Analytics.Testing;

namespace Analytics.AspNetCore.Tests.Endpoints.Api;

/// <summary><c>GET {prefix}/api/health-metrics</c> on a real host sampling itself.</summary>
public sealed class HealthMetricsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheHostsOwnHealthAppearsWithPlausibleValues()
    {
        await using var host = await EndpointTestApp.StartAsync(o => { o.HealthInterval = TimeSpan.FromSeconds(1); o.InstanceName = "web-7"; });
        JsonElement point = default;
        await Wait.UntilAsync(
            async () =>
            {
                var metrics = await host.GetJsonAsync("/analytics/api/health-metrics?range=15m");
                var instances = metrics.GetProperty("instances");
                if (instances.GetArrayLength() == 0)
                {
                    return false;
                }

                point = instances[0].GetProperty("points").EnumerateArray().Last();
                return point.GetProperty("cpuPercent").GetProperty("samples").GetInt64() >= 2;
            },
            Deadline,
            "two samples: at start and one interval later");

        var metrics = await host.GetJsonAsync("/analytics/api/health-metrics?range=15m&instance=web-7");
        Assert.Equal("minute", metrics.GetProperty("granularity").GetString());
        Assert.Equal("web-7", metrics.GetProperty("instances")[0].GetProperty("instance").GetString());
        var cpu = point.GetProperty("cpuPercent");
        Assert.InRange(cpu.GetProperty("min").GetDouble(), 0, 100.0 * Environment.ProcessorCount);
        Assert.InRange(cpu.GetProperty("max").GetDouble(), 0, 100.0 * Environment.ProcessorCount);
        Assert.True(point.GetProperty("workingSetBytes").GetProperty("min").GetDouble() > 0);
        Assert.True(point.GetProperty("gcHeapBytes").GetProperty("max").GetDouble() > 0);
        Assert.True(point.GetProperty("threadPoolThreads").GetProperty("max").GetDouble() >= 1);

        var otherInstance = await host.GetJsonAsync("/analytics/api/health-metrics?range=15m&instance=web-8");
        Assert.Equal(0, otherInstance.GetProperty("instances").GetArrayLength());
    }

    [Fact]
    public async Task ABadRangeIsA400NamingIt()
    {
        await using var host = await EndpointTestApp.StartAsync();

        using var response = await host.Client.GetAsync("/analytics/api/health-metrics?range=3y");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("range", await response.Content.ReadAsStringAsync());
    }
}
