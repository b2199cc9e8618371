namespace Analytics.AspNetCore.Endpoints;

/// <summary>The answer to <c>DELETE {prefix}/api/stream</c>.</summary>
internal sealed record StreamsClosed(int Closed);
