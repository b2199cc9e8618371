using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The app's endpoints and the path base they are served under.</summary>
internal sealed record PlaygroundCatalog(string BasePath, IReadOnlyList<PlaygroundEndpoint> Endpoints);
