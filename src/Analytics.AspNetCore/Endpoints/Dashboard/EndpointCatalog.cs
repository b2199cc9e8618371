using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// <c>GET {prefix}/api/endpoints</c>: the app's own routes, for the dashboard's request playground. The analytics group's
/// endpoints are left out; the group's access rules apply to this list like every other endpoint of it.
/// </summary>
internal static class EndpointCatalog
{
    public static IResult Get(HttpContext context)
    {
        var sources = context.RequestServices.GetRequiredService<EndpointDataSource>();
        var endpoints = new List<PlaygroundEndpoint>();
        foreach (var endpoint in sources.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<AnalyticsEndpointMetadata>() is not null || endpoint.RoutePattern.RawText is not { } route)
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            var parameters = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToArray();
            foreach (var method in methods is { Count: > 0 } ? methods : ["GET"])
            {
                endpoints.Add(new PlaygroundEndpoint(method, route.StartsWith('/') ? route : "/" + route, parameters));
            }
        }

        endpoints.Sort(static (a, b) => string.CompareOrdinal(a.Route, b.Route) is var c and not 0 ? c : string.CompareOrdinal(a.Method, b.Method));
        return TypedResults.Json(
            new PlaygroundCatalog(context.Request.PathBase.Value ?? "", endpoints),
            AnalyticsJsonContext.Default.PlaygroundCatalog);
    }
}
