using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints.Json;

/// <summary>
/// A Native AOT host (<c>CreateSlimBuilder</c> with its own JSON context) has no reflection fallback and, unless it calls
/// <c>AddProblemDetails()</c>, no JSON metadata for problem details: the group's 400s and 404s must still be problems.
/// </summary>
public partial class AnalyticsProblemTests
{
    [Theory]
    [InlineData("/analytics/api/overview?range=2h", HttpStatusCode.BadRequest)]
    [InlineData("/analytics/api/requests?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("/analytics/api/export?format=xml", HttpStatusCode.BadRequest)]
    [InlineData("/analytics/api/webhooks/nope", HttpStatusCode.NotFound)]
    [InlineData("/analytics/api/errors/nope", HttpStatusCode.BadRequest)]
    [InlineData("/analytics/api/alerts/nope", HttpStatusCode.NotFound)]
    [InlineData("/analytics/assets/nope.js", HttpStatusCode.NotFound)]
    public async Task ProblemsAreWrittenWhenTheHostsJsonKnowsOnlyItsOwnTypes(string url, HttpStatusCode expected)
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet("/hello", () => new HostGreeting("hello"));
                app.MapRequestAnalytics();
            },
            configureBuilder: builder => builder.Services.ConfigureHttpJsonOptions(
                o => o.SerializerOptions.TypeInfoResolver = HostJsonContext.Default)); // what AOT leaves: no reflection

        using var response = await host.Client.GetAsync(url);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()));
        Assert.StartsWith("https://tools.ietf.org/html/rfc9110#section-15.", problem.RootElement.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("traceId").GetString()));
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.Equal(JsonValueKind.Object, problem.RootElement.GetProperty("errors").ValueKind);
        }
    }

    [Fact]
    public async Task ABadParameterIsNamedInTheErrorsOfA400()
    {
        await using var host = await AnalyticsTestHost.StartAsync(app => app.MapRequestAnalytics());

        using var response = await host.Client.GetAsync("/analytics/api/overview?range=2h");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("One or more parameters are invalid.", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Array, problem.RootElement.GetProperty("errors").GetProperty("range").ValueKind);
    }

    internal sealed record HostGreeting(string Text);

    [JsonSerializable(typeof(HostGreeting))]
    internal sealed partial class HostJsonContext : JsonSerializerContext;
}
