using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Alerts;

namespace Analytics.AspNetCore.Tests.Endpoints.Alerts;

public class AlertsApiTests
{
    private static Task<AnalyticsTestHost> StartAsync() => EndpointTestApp.StartAsync(o =>
        o.Alerts.Add(new AlertRuleOptions { Id = "declared", Metric = AlertMetric.P95, Threshold = 500, Window = TimeSpan.FromMinutes(5) }));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task ARuleIsCreatedShownUpdatedAndDeleted()
    {
        await using var host = await StartAsync();

        var created = await host.Client.PostAsync("/analytics/api/alerts", Json("""{"name":"Slow checkout","metric":"p99","route":"/checkout","method":"post","window":"15m","operator":">=","threshold":800}"""));
        var rule = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = rule.GetProperty("id").GetString();
        var updated = await host.Client.PutAsync($"/analytics/api/alerts/{id}", Json("""{"name":"Slow checkout","metric":"p99","window":"1h","threshold":1200}"""));
        var shown = await host.Client.GetFromJsonAsync<JsonElement>($"/analytics/api/alerts/{id}");
        var deleted = await host.Client.DeleteAsync($"/analytics/api/alerts/{id}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/analytics/api/alerts/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(("p99", "POST", "15m", ">=", 800d, "ok", "api"), (
            rule.GetProperty("metric").GetString(), rule.GetProperty("method").GetString(), rule.GetProperty("window").GetString(),
            rule.GetProperty("operator").GetString(), rule.GetProperty("threshold").GetDouble(), rule.GetProperty("state").GetString(),
            rule.GetProperty("source").GetString()));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(("1h", 1200d, ">"), (shown.GetProperty("window").GetString(), shown.GetProperty("threshold").GetDouble(), shown.GetProperty("operator").GetString()));
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("route").ValueKind); // a PUT replaces the whole rule
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/analytics/api/alerts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.PutAsync("/analytics/api/alerts/nope", Json("""{"metric":"p99","threshold":1}"""))).StatusCode);
    }

    public static TheoryData<string, string> BadRules => new()
    {
        { """{"name":"x","metric":"latency","threshold":1}""", "metric" },
        { """{"name":"x","threshold":1}""", "metric" },
        { """{"name":"x","metric":"errorRate","threshold":1.5}""", "threshold" },
        { """{"name":"x","metric":"errorRate","threshold":-0.1}""", "threshold" },
        { """{"name":"x","metric":"errorRate"}""", "threshold" },
        { """{"name":"x","metric":"errorRate","threshold":"10%"}""", "threshold" },
        { """{"name":"x","metric":"requestCount","threshold":-1}""", "threshold" },
        { """{"name":"x","metric":"changeRatio","threshold":0}""", "threshold" },
        { """{"name":"x","metric":"p95","threshold":1e300}""", "threshold" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"window":"90s"}""", "window" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"window":"0m"}""", "window" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"window":"2d"}""", "window" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"window":"soon"}""", "window" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"operator":"!="}""", "operator" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"eventName":"deploy"}""", "eventName" },
        { """{"name":"","metric":"errorRate","threshold":0.1}""", "name" },
        { """{"metric":"errorRate","threshold":0.1}""", "name" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"method":"GET /"}""", "method" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"enabled":1}""", "enabled" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"severity":"high"}""", "severity" },
        { """{"name":"\udc00","metric":"errorRate","threshold":0.1}""", "name" }, // half a surrogate pair: a 500 once
        { """{"name":"x","metric":"errorRate\ud800","threshold":0.1}""", "metric" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"route":"/a\udc00\ud800"}""", "route" },
        { """{"name":"x","metric":"errorRate","threshold":0.1,"window":"5m","window":"1h"}""", "window" },
        { """["x"]""", "body" },
    };

    [Fact]
    public async Task ALongBadValueIsShortenedWithoutSplittingACharacter()
    {
        await using var host = await StartAsync();
        var metric = "a" + string.Concat(Enumerable.Repeat("\U0001F600", 30)); // the cut at 40 falls inside the 20th

        var response = await host.Client.PostAsync("/analytics/api/alerts", Json($$"""{"name":"x","metric":"{{metric}}","threshold":0.1}"""));

        var message = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("metric")[0].GetString()!;
        Assert.StartsWith("'a" + string.Concat(Enumerable.Repeat("\U0001F600", 19)) + "…'", message);
    }

    [Theory]
    [MemberData(nameof(BadRules))]
    public async Task ABadRuleIsRefusedNamingTheField(string json, string field)
    {
        await using var host = await StartAsync();

        var response = await host.Client.PostAsync("/analytics/api/alerts", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        Assert.Single((await host.Client.GetFromJsonAsync<JsonElement[]>("/analytics/api/alerts"))!); // only the declared rule
    }

    [Fact]
    public async Task ADeclaredRuleIsShownButReadOnly()
    {
        await using var host = await StartAsync();

        var rules = await host.Client.GetFromJsonAsync<JsonElement[]>("/analytics/api/alerts");
        var put = await host.Client.PutAsync("/analytics/api/alerts/declared", Json("""{"name":"x","metric":"p95","threshold":1}"""));
        var delete = await host.Client.DeleteAsync("/analytics/api/alerts/declared");

        var declared = Assert.Single(rules!);
        Assert.Equal(("declared", "options", "p95", "5m"), (
            declared.GetProperty("id").GetString(), declared.GetProperty("source").GetString(),
            declared.GetProperty("metric").GetString(), declared.GetProperty("window").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("before=x", "before")]
    public async Task BadHistoryPagingIsRefused(string query, string parameter)
    {
        await using var host = await StartAsync();

        var response = await host.Client.GetAsync($"/analytics/api/alerts/history?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(parameter, out _));
    }
}
