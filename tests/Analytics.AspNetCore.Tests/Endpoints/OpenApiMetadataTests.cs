using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints;

/// <summary>Every endpoint of the group describes itself for OpenAPI: a unique name, a summary, the tag, and its answers.</summary>
public class OpenApiMetadataTests
{
    [Fact]
    public async Task EveryEndpointHasANameASummaryTheTagAndItsResponses()
    {
        await using var host = await EndpointTestApp.StartAsync();
        var endpoints = host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<AnalyticsEndpointMetadata>() is not null)
            .ToArray();

        Assert.Equal(38, endpoints.Length); // the page and its assets, 13 reads (health-metrics, consumers, releases, slos, uptime too), the playground catalog, an error group and its resolve, export, events POST, stream GET and DELETE, metrics, 9 webhooks, 6 alerts
        foreach (var endpoint in endpoints)
        {
            var what = endpoint.DisplayName ?? endpoint.RoutePattern.RawText;
            Assert.False(string.IsNullOrEmpty(endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName), $"{what} has no name");
            Assert.False(string.IsNullOrEmpty(endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>()?.Summary), $"{what} has no summary");
            Assert.Contains("Request analytics", endpoint.Metadata.GetOrderedMetadata<ITagsMetadata>().SelectMany(t => t.Tags));
            var responses = endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>();
            Assert.Contains(responses, r => r.StatusCode is >= 200 and < 300);
            Assert.Contains(responses, r => r.StatusCode == StatusCodes.Status403Forbidden);
        }

        var names = endpoints.Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName).ToArray();
        Assert.Equal(names.Length, names.Distinct().Count());
    }
}
