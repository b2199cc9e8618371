namespace Analytics.AspNetCore.Endpoints;

/// <summary>The answer to <c>POST {prefix}/api/events</c>.</summary>
/// <param name="Accepted">How many events entered the queue.</param>
internal sealed record EventsAccepted(int Accepted);
