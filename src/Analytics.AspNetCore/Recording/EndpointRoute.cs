using Microsoft.AspNetCore.Http;

namespace Analytics.AspNetCore;

/// <summary>An endpoint with the route it is recorded under, and whether it is one of the library's own (never recorded).</summary>
internal sealed class EndpointRoute(Endpoint endpoint, string route)
{
    public Endpoint Endpoint { get; } = endpoint;

    public string Route { get; } = route;

    public bool IsAnalytics { get; } = endpoint.Metadata.GetMetadata<AnalyticsEndpointMetadata>() is not null;
}
