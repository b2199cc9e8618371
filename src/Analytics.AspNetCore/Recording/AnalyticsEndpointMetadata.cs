namespace Analytics.AspNetCore;

/// <summary>Endpoint metadata on the analytics group's endpoints: requests to them are never recorded.</summary>
internal sealed class AnalyticsEndpointMetadata
{
    public static readonly AnalyticsEndpointMetadata Instance = new();
}
