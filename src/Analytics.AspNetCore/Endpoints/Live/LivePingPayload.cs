using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>A <c>ping</c> event; <c>reason</c> is set on the last one of a stream the server ends.</summary>
internal sealed record LivePingPayload(
    DateTimeOffset Time,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);
