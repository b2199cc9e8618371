namespace Analytics.AspNetCore.Endpoints;

/// <summary>Marks the endpoint that also accepts an <c>X-Analytics-Key</c> ingestion key in place of the group's access rules.</summary>
internal sealed class IngestEndpointMetadata
{
    public static readonly IngestEndpointMetadata Instance = new();
}
