using System.Text.Json;
using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Tests.Uptime;

/// <summary><c>{prefix}/api/uptime</c> on a real host whose own health checks feed it, and its option.</summary>
public sealed class UptimeApiTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheReportsOfTheHostsOwnHealthChecksReachTheUptimeApiWithNothingElseToSetUp()
    {
        await using var host = await EndpointTestApp.StartAsync(
            o => o.InstanceName = "web-7",
            configureBuilder: builder =>
            {
                builder.Services.AddHealthChecks()
                    .AddCheck("db", () => HealthCheckResult.Unhealthy("The database refused the connection."))
                    .AddCheck("cache", () => HealthCheckResult.Healthy());
                builder.Services.Configure<HealthCheckPublisherOptions>(o =>
                {
                    o.Delay = TimeSpan.Zero;
                    o.Period = TimeSpan.FromSeconds(1);
                });
            });

        // Two reports in a row (the default threshold) open the incident.
        JsonElement checks = default;
        await Wait.UntilAsync(
            async () =>
            {
                checks = await host.GetJsonAsync("/analytics/api/uptime?range=15m");
                return checks.GetArrayLength() == 2 && checks[1].GetProperty("incidents").GetArrayLength() == 1;
            },
            Deadline,
            "two reports of the failing check were stored");

        Assert.Equal(["cache", "db"], checks.EnumerateArray().Select(c => c.GetProperty("check").GetString()));
        var (cache, db) = (checks[0], checks[1]);
        Assert.Equal(("healthy", 100.0), (cache.GetProperty("status").GetString(), cache.GetProperty("uptimePercent").GetDouble()));
        Assert.Equal(("unhealthy", 0.0), (db.GetProperty("status").GetString(), db.GetProperty("uptimePercent").GetDouble()));
        Assert.Equal(JsonValueKind.Null, db.GetProperty("lastChange").ValueKind); // unhealthy all along
        var incident = db.GetProperty("incidents")[0];
        Assert.Equal("web-7", incident.GetProperty("instance").GetString());
        Assert.Equal("unhealthy", incident.GetProperty("status").GetString());
        Assert.Equal("The database refused the connection.", incident.GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.Null, incident.GetProperty("end").ValueKind);
        Assert.EndsWith("Z", incident.GetProperty("start").GetString());

        Assert.Equal(0, (await host.GetJsonAsync("/analytics/api/uptime?range=15m&instance=web-8")).GetArrayLength());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    public async Task ABadUptimeFailureThresholdStopsTheHostNamingIt(string threshold)
    {
        using var directory = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory.Path });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["RequestAnalytics:UptimeFailureThreshold"] = threshold });
        builder.Services.AddRequestAnalytics().UseSqlite(directory.File("analytics.db"));
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("RequestAnalytics:UptimeFailureThreshold", error.Message);
    }
}
