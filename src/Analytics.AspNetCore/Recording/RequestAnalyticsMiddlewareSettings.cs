using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore;

/// <summary>The options the middleware reads on every request, resolved once into the shapes it needs.</summary>
internal sealed class RequestAnalyticsMiddlewareSettings
{
    public RequestAnalyticsMiddlewareSettings(IOptions<RequestAnalyticsOptions> options, HostIdentity identity, TimeProvider timeProvider)
    {
        var value = options.Value;
        ExcludePaths = [.. value.ExcludePaths.Select(p => new PathString(p.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/"))];
        CaptureQueryString = value.CaptureQueryString;
        AnonymizeClientIp = value.AnonymizeClientIp;
        UserIdClaims = [.. value.UserIdClaim];
        Identity = identity;
        TimeProvider = timeProvider;
        Clock = new RequestClock(timeProvider);
    }

    public PathString[] ExcludePaths { get; }

    public bool CaptureQueryString { get; }

    public bool AnonymizeClientIp { get; }

    public string[] UserIdClaims { get; }

    public HostIdentity Identity { get; }

    public TimeProvider TimeProvider { get; }

    public RequestClock Clock { get; }
}
