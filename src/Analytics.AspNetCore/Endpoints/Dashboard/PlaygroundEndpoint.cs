using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>One method of one route template, with the names of its route parameters.</summary>
internal sealed record PlaygroundEndpoint(string Method, string Route, [property: JsonPropertyName("parameters")] IReadOnlyList<string> Parameters);
