using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>One method of one route template, with the names of its route parameters.</summary>
internal sealed record PlaygroundEndpoint(string Method, string Route, [property: JsonPropertyName("parameters")] IReadOnlyList<string> Parameters);
