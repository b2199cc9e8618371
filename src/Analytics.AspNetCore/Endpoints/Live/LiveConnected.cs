using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Live;
using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The <c>connected</c> event.</summary>
internal sealed record LiveConnected(string ConnectionId);
