namespace Analytics.AspNetCore.Endpoints;

/// <summary>The app's endpoints and the path base they are served under.</summary>
internal sealed record PlaygroundCatalog(string BasePath, IReadOnlyList<PlaygroundEndpoint> Endpoints);
