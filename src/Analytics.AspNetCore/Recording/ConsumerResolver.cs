using Microsoft.AspNetCore.Http;

namespace Analytics.AspNetCore;

/// <summary>The host's consumer resolver, registered by <c>ResolveConsumer(...)</c>: tried after the header and the claim.</summary>
/// <param name="Resolve">Returns the consumer of a request as it ends, or <see langword="null"/>.</param>
internal sealed record ConsumerResolver(Func<HttpContext, string?> Resolve);
