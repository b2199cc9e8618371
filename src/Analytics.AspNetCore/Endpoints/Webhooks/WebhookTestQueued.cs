namespace Analytics.AspNetCore.Endpoints;

/// <summary>The answer to <c>POST {prefix}/api/webhooks/{id}/test</c>.</summary>
internal sealed record WebhookTestQueued(string MessageId);
