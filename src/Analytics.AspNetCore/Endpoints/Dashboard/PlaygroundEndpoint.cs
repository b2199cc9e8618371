using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// One method of one route template, with the names of its route parameters (for the request playground), the policies
/// its metadata names, and when it last had a request (for the dashboard's access panel).
/// </summary>
/// <param name="Method">The HTTP method; GET for an endpoint that takes any.</param>
/// <param name="Route">The route template, with a leading slash, as the playground fills it in.</param>
/// <param name="Parameters">The route parameters' names.</param>
internal sealed record PlaygroundEndpoint(string Method, string Route, [property: JsonPropertyName("parameters")] IReadOnlyList<string> Parameters)
{
    /// <summary>Gets the route its requests are recorded under: the <c>route</c> of <c>api/routes</c> to join on.</summary>
    public required string RecordedRoute { get; init; }

    /// <summary>
    /// Gets whether its requests are recorded: false when its path lies under <see cref="RequestAnalyticsOptions.ExcludePaths"/>,
    /// so that <see cref="LastSeen"/> says nothing about it.
    /// </summary>
    public bool Recorded { get; init; } = true;

    /// <summary>Gets the authorization policies it requires; empty when none or when it allows anonymous callers.</summary>
    public required IReadOnlyList<string> AuthorizationPolicies { get; init; }

    /// <summary>Gets whether it is marked <c>[AllowAnonymous]</c>, which overrides any authorization metadata.</summary>
    public bool AllowAnonymous { get; init; }

    /// <summary>Gets its rate-limiting policy, or <see langword="null"/> when none applies to it.</summary>
    public string? RateLimitingPolicy { get; init; }

    /// <summary>Gets its output-cache policy, or <see langword="null"/> when its responses are not cached.</summary>
    public string? OutputCachePolicy { get; init; }

    /// <summary>
    /// Gets when its route and method last had a request in the retained data (within a minute, or a coarser bucket
    /// for requests older than the minute rollups), or <see langword="null"/> when never.
    /// </summary>
    public DateTimeOffset? LastSeen { get; init; }
}
