using System.Text;
using Analytics.Queries;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// <c>GET {prefix}/api/endpoints</c>: the app's own routes, for the dashboard's request playground and its access panel,
/// each with the policies its metadata names and when it was last hit. The analytics group's endpoints are left out;
/// the group's access rules apply to this list like every other endpoint of it.
/// </summary>
internal static class EndpointCatalog
{
    public static async Task<IResult> Get(HttpContext context, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var excluded = services.GetRequiredService<RequestAnalyticsMiddlewareSettings>().ExcludePaths;
        var lastSeen = await services.GetRequiredService<RouteLastSeen>().GetAsync(cancellationToken).ConfigureAwait(false);
        var endpoints = new List<PlaygroundEndpoint>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<AnalyticsEndpointMetadata>() is not null || endpoint.RoutePattern.RawText is not { } route)
            {
                continue;
            }

            var metadata = endpoint.Metadata;
            var recorded = EndpointRoutes.Of(endpoint).Route;
            var authorization = EndpointPolicies.Authorization(metadata, out bool allowAnonymous);
            var rateLimiting = EndpointPolicies.RateLimiting(metadata);
            var outputCache = EndpointPolicies.OutputCache(metadata);
            var methods = metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            var parameters = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToArray();
            foreach (var method in methods is { Count: > 0 } ? methods : ["GET"])
            {
                endpoints.Add(new PlaygroundEndpoint(method, route.StartsWith('/') ? route : "/" + route, parameters)
                {
                    RecordedRoute = recorded,
                    Recorded = !IsExcluded(endpoint.RoutePattern, excluded),
                    AuthorizationPolicies = authorization,
                    AllowAnonymous = allowAnonymous,
                    RateLimitingPolicy = rateLimiting,
                    OutputCachePolicy = outputCache,
                    LastSeen = lastSeen.TryGetValue((recorded, method), out var seen) ? seen : null,
                });
            }
        }

        endpoints.Sort(static (a, b) => string.CompareOrdinal(a.Route, b.Route) is var c and not 0 ? c : string.CompareOrdinal(a.Method, b.Method));
        return TypedResults.Json(
            new PlaygroundCatalog(context.Request.PathBase.Value ?? "", endpoints),
            AnalyticsJsonContext.Default.PlaygroundCatalog);
    }

    /// <summary>
    /// Whether every path the route matches lies under an excluded path: its literal leading segments (up to the first
    /// with a parameter) do, as the middleware compares them.
    /// </summary>
    internal static bool IsExcluded(RoutePattern pattern, PathString[] excluded)
    {
        var literal = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            if (!segment.IsSimple || segment.Parts[0] is not RoutePatternLiteralPart part)
            {
                break;
            }

            literal.Append('/').Append(part.Content);
        }

        var path = new PathString(literal.Length > 0 ? literal.ToString() : "/");
        return excluded.Any(e => path.StartsWithSegments(e, StringComparison.OrdinalIgnoreCase));
    }
}
