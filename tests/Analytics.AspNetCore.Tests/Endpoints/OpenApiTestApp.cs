using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints;

/// <summary>
/// A host with <c>AddOpenApi()</c> and <c>MapOpenApi()</c> beside the analytics group, and its OpenAPI document.
/// </summary>
internal static class OpenApiTestApp
{
    /// <summary>Starts a host the way <c>dotnet new webapi</c> sets one up, with one endpoint of its own and the group.</summary>
    public static Task<AnalyticsTestHost> StartAsync(Action<RouteGroupBuilder>? configureGroup = null) =>
        AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapOpenApi();

                // An endpoint of the host's own, described well enough that the linter has nothing to say about it.
                app.MapGet("/items/{id}", (int id) => id).WithName("GetItem").WithSummary("One item.").ProducesProblem(StatusCodes.Status404NotFound);
                var group = app.MapRequestAnalytics("/analytics");
                configureGroup?.Invoke(group);
            },
            configureBuilder: builder => builder.Services.AddOpenApi());

    /// <summary>Gets the host's OpenAPI document, <c>/openapi/v1.json</c>, as text.</summary>
    public static async Task<string> DocumentTextAsync(AnalyticsTestHost host)
    {
        using var answer = await host.Client.GetAsync("/openapi/v1.json");
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.IsSuccessStatusCode, $"GET /openapi/v1.json answered {(int)answer.StatusCode}: {text}");
        return text;
    }
}
