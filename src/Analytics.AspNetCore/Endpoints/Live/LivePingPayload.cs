using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Live;
using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>A <c>ping</c> event; <c>reason</c> is set on the last one of a stream the server ends.</summary>
internal sealed record LivePingPayload(
    DateTimeOffset Time,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);
