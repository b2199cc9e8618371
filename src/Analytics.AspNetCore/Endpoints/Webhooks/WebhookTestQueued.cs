using System.Text.Json.Serialization;
using Analytics.Alerts;
using Analytics.Storage;
using Analytics.Webhooks;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The answer to <c>POST {prefix}/api/webhooks/{id}/test</c>.</summary>
internal sealed record WebhookTestQueued(string MessageId);
