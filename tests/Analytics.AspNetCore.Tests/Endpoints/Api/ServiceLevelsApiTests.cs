using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.ServiceLevels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.AspNetCore.Tests.Endpoints.Api;

/// <summary>
/// <c>GET {prefix}/api/slos</c>, the alerts API's <c>slo</c> and <c>check</c>, and objectives in options, over one shared
/// host whose clock stands still: traffic is sent once, then the clock moves past its minute so that objectives count it.
/// </summary>
public class ServiceLevelsApiTests(ServiceLevelsApiTests.SharedHost shared) : IClassFixture<ServiceLevelsApiTests.SharedHost>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task EachObjectiveIsShownWithItsCountsBudgetAndBurnRatesInTheApiUnits()
    {
        var slos = (await shared.Host.GetJsonAsync("/analytics/api/slos")).EnumerateArray().ToList();

        Assert.Equal(["items", "all"], slos.Select(s => s.GetProperty("name").GetString()));
        var items = slos[0];
        Assert.Equal(("/items/{id:int}", "GET", 0.99, 250d, "2h", 8L, 8L, 1d, 1d), (
            items.GetProperty("route").GetString(), items.GetProperty("method").GetString(), items.GetProperty("objective").GetDouble(),
            items.GetProperty("latencyThreshold").GetDouble(), items.GetProperty("window").GetString(), items.GetProperty("good").GetInt64(),
            items.GetProperty("total").GetInt64(), items.GetProperty("attainment").GetDouble(), items.GetProperty("errorBudgetRemaining").GetDouble()));

        // Every route: 2 of 10 failed, twice the 10 % allowed, so the budget is overspent by as much again, burning at 2×.
        var all = slos[1];
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null, "30d", 8L, 10L), (
            all.GetProperty("route").ValueKind, all.GetProperty("latencyThreshold").ValueKind, all.GetProperty("window").GetString(),
            all.GetProperty("good").GetInt64(), all.GetProperty("total").GetInt64()));
        Assert.Equal(0.8, all.GetProperty("attainment").GetDouble(), 12);
        Assert.Equal(-1, all.GetProperty("errorBudgetRemaining").GetDouble(), 9);
        var burn = all.GetProperty("burnRates");
        Assert.Equal(["5m", "30m", "1h", "6h"], burn.EnumerateObject().Select(p => p.Name));
        Assert.All(burn.EnumerateObject(), p => Assert.Equal(2, p.Value.GetDouble(), 9));

        // Another environment's view has no requests: no attainment, no burn.
        var staging = (await shared.Host.GetJsonAsync("/analytics/api/slos?environment=staging")).EnumerateArray().First();
        Assert.Equal((0L, JsonValueKind.Null, JsonValueKind.Null), (
            staging.GetProperty("total").GetInt64(), staging.GetProperty("attainment").ValueKind,
            staging.GetProperty("burnRates").GetProperty("5m").ValueKind));
    }

    [Theory]
    [InlineData("consumer=acme", "consumer")]
    [InlineData("release=1&release=2", "release")]
    [InlineData("environment=a&environment=b", "environment")]
    [InlineData("instance=x&instance=y", "instance")]
    [InlineData("range=2h", "range")]
    [InlineData("from=yesterday", "from")]
    public async Task ABadParameterIsA400NamingIt(string query, string parameter)
    {
        using var response = await shared.Host.Client.GetAsync($"/analytics/api/slos?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(parameter, out _), $"no error for '{parameter}' in {errors}");
    }

    [Theory]
    [InlineData("""{"name":"x","metric":"burnRate","threshold":14.4,"window":"1h"}""", "slo")]
    [InlineData("""{"name":"x","metric":"burnRate","slo":"nope","threshold":14.4}""", "slo")]
    [InlineData("""{"name":"x","metric":"burnRate","slo":7,"threshold":14.4}""", "slo")]
    [InlineData("""{"name":"x","metric":"errorRate","slo":"items","threshold":0.1}""", "slo")]
    [InlineData("""{"name":"x","metric":"burnRate","slo":"items","threshold":-1}""", "threshold")]
    [InlineData("""{"name":"x","metric":"errorRate","check":"database","threshold":0.1}""", "check")]
    [InlineData("""{"name":"x","metric":"healthCheck","check":"ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"}""", "check")]
    public async Task ABadObjectiveOrCheckInARuleIsA400NamingTheField(string json, string field)
    {
        using var response = await shared.Host.Client.PostAsync("/analytics/api/alerts", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
    }

    [Fact]
    public async Task RulesOnAnObjectiveOrAHealthCheckAreCreatedAndShownBesideTheObjectivesOwnRules()
    {
        using var burn = await shared.Host.Client.PostAsync(
            "/analytics/api/alerts", Json("""{"name":"items burn","metric":"burnRate","slo":"items","window":"2h","operator":">=","threshold":3}"""));
        using var health = await shared.Host.Client.PostAsync(
            "/analytics/api/alerts", Json("""{"name":"db down","metric":"healthCheck","check":"database","threshold":0}"""));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (burn.StatusCode, health.StatusCode));
        var burnRule = await burn.Content.ReadFromJsonAsync<JsonElement>();
        var healthRule = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("burnRate", "items", JsonValueKind.Null), (
            burnRule.GetProperty("metric").GetString(), burnRule.GetProperty("slo").GetString(), burnRule.GetProperty("check").ValueKind));
        Assert.Equal(("healthCheck", "database"), (healthRule.GetProperty("metric").GetString(), healthRule.GetProperty("check").GetString()));

        var rules = (await shared.Host.GetJsonAsync("/analytics/api/alerts")).EnumerateArray()
            .ToDictionary(r => r.GetProperty("id").GetString()!, r => r);
        Assert.Equal(("options", "burnRate", "items", "1h", ">=", 14.4), (
            rules["slo-items-fast"].GetProperty("source").GetString(), rules["slo-items-fast"].GetProperty("metric").GetString(),
            rules["slo-items-fast"].GetProperty("slo").GetString(), rules["slo-items-fast"].GetProperty("window").GetString(),
            rules["slo-items-fast"].GetProperty("operator").GetString(), rules["slo-items-fast"].GetProperty("threshold").GetDouble()));
        Assert.Equal(("6h", 6d), (rules["slo-all-slow"].GetProperty("window").GetString(), rules["slo-all-slow"].GetProperty("threshold").GetDouble()));
        Assert.Equal("database", rules[healthRule.GetProperty("id").GetString()!].GetProperty("check").GetString());
    }

    [Fact]
    public async Task BadObjectivesInConfigurationStopTheHostNamingEachOption()
    {
        var settings = new Dictionary<string, string?>
        {
            ["RequestAnalytics:ApdexThreshold"] = "00:05:00",
            ["RequestAnalytics:Slos:0:Name"] = "has space",
            ["RequestAnalytics:Slos:0:Objective"] = "99.9",
            ["RequestAnalytics:Slos:0:Window"] = "00:30:00",
            ["RequestAnalytics:Slos:0:LatencyThreshold"] = "02:00:00",
            ["RequestAnalytics:Slos:0:ApdexThreshold"] = "00:00:00.0001",
            ["RequestAnalytics:Slos:0:Method"] = "GE T",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => EndpointTestApp.StartAsync(
            configureBuilder: b => b.Configuration.AddInMemoryCollection(settings)));

        foreach (var option in settings.Keys)
        {
            Assert.Contains(option, error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>One host for every case: ten requests at 10:00:30, then the clock at 10:01:30.</summary>
    public sealed class SharedHost : IAsyncLifetime
    {
        private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 30, TimeSpan.Zero);
        private AnalyticsTestHost? _host;

        public AnalyticsTestHost Host => _host ?? throw new InvalidOperationException("The host starts in InitializeAsync.");

        public async Task InitializeAsync()
        {
            var clock = new FakeTimeProvider(Start);
            _host = await EndpointTestApp.StartAsync(
                o =>
                {
                    o.EnvironmentName = "production";
                    o.Slos.Add(new SloOptions
                    {
                        Name = "items", Route = "/items/{id:int}", Method = "GET", Objective = 0.99, Window = TimeSpan.FromHours(2),
                        LatencyThreshold = TimeSpan.FromMilliseconds(250),
                    });
                    o.Slos.Add(new SloOptions { Name = "all", Objective = 0.9 });
                },
                configureBuilder: b => b.Services.AddSingleton<TimeProvider>(clock));

            // The durations are real time: the first request of a host also builds the routing matcher, which on a loaded
            // machine can pass the 250 ms threshold. The group's own calls are never recorded, so one warms it up.
            (await _host.Client.GetAsync("/analytics/api/overview")).Dispose();
            for (int i = 1; i <= 8; i++)
            {
                (await _host.Client.GetAsync($"/items/{i}")).Dispose();
            }

            (await _host.Client.GetAsync("/fail")).Dispose();
            (await _host.Client.GetAsync("/status/503")).Dispose();
            await _host.Pipeline.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        public async Task DisposeAsync()
        {
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }
        }
    }
}
