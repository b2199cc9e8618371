using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Live;
using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The answer to <c>DELETE {prefix}/api/stream</c>.</summary>
internal sealed record StreamsClosed(int Closed);
