using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Live;

/// <summary>The payload of a <c>ping</c> message.</summary>
internal sealed record LivePing(DateTimeOffset Time);
