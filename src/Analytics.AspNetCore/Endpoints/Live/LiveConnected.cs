namespace Analytics.AspNetCore.Endpoints;

/// <summary>The <c>connected</c> event.</summary>
internal sealed record LiveConnected(string ConnectionId);
