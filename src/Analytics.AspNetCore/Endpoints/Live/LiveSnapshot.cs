namespace Analytics.AspNetCore.Endpoints;

/// <summary>The answer to <c>GET {prefix}/api/stream</c> with <c>Accept: application/json</c>.</summary>
internal sealed record LiveSnapshot(long LastEventId, int Subscribers, AnalyticsOverview Stats);
