namespace Analytics.AspNetCore;

/// <summary>Registered by <c>AddRequestAnalytics</c> so that <c>UseRequestAnalytics</c> can tell it was called.</summary>
internal sealed class RequestAnalyticsMarkerService;

/// <summary>Endpoint metadata on the analytics group's endpoints: requests to them are never recorded.</summary>
internal sealed class AnalyticsEndpointMetadata
{
    public static readonly AnalyticsEndpointMetadata Instance = new();
}
