using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore;

/// <summary>The options the middleware reads on every request, resolved once into the shapes it needs.</summary>
internal sealed class RequestAnalyticsMiddlewareSettings
{
    public RequestAnalyticsMiddlewareSettings(
        IOptions<RequestAnalyticsOptions> options,
        HostIdentity identity,
        TimeProvider timeProvider,
        ILogger<ConsumerCapture> consumerLogger,
        ConsumerResolver? consumerResolver = null)
    {
        var value = options.Value;
        ExcludePaths = [.. value.ExcludePaths.Select(p => new PathString(p.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/"))];
        CaptureQueryString = value.CaptureQueryString;
        AnonymizeClientIp = value.AnonymizeClientIp;
        UserIdClaims = [.. value.UserIdClaim];
        Identity = identity;
        TimeProvider = timeProvider;
        Clock = new RequestClock(timeProvider);
        Consumers = ConsumerCapture.Create(value, consumerResolver, timeProvider, consumerLogger);
    }

    public PathString[] ExcludePaths { get; }

    public bool CaptureQueryString { get; }

    public bool AnonymizeClientIp { get; }

    public string[] UserIdClaims { get; }

    public HostIdentity Identity { get; }

    public TimeProvider TimeProvider { get; }

    public RequestClock Clock { get; }

    /// <summary>Names each request's consumer; <see langword="null"/> when no header, claim or resolver is configured.</summary>
    public ConsumerCapture? Consumers { get; }
}
