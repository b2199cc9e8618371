using System.Security.Claims;
using Analytics.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Logging;

namespace Analytics.AspNetCore;

/// <summary>
/// Names the consumer of a request as it ends (after authentication ran): the first non-empty of the
/// <see cref="RequestAnalyticsOptions.ConsumerHeader"/> header, the <see cref="RequestAnalyticsOptions.ConsumerClaim"/>
/// claim and the host's resolver. The middleware holds one only when at least one of the three is configured, so a host
/// that names no consumers pays nothing per request.
/// </summary>
internal sealed partial class ConsumerCapture
{
    // A resolver that throws throws on every request; one line per interval says so without flooding the log.
    internal static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    private readonly string? _header;
    private readonly string? _claim;
    private readonly Func<HttpContext, string?>? _resolve;
    private readonly ILogger _logger;

    private readonly FailureLogThrottle _failureLog; // at most a log line a minute, with the count since the last

    private ConsumerCapture(string? header, string? claim, Func<HttpContext, string?>? resolve, TimeProvider timeProvider, ILogger logger)
    {
        _header = header;
        _claim = claim;
        _resolve = resolve;
        _failureLog = new FailureLogThrottle(timeProvider, FailureLogInterval);
        _logger = logger;
    }

    /// <summary>A capture for what is configured, or <see langword="null"/> when nothing names consumers.</summary>
    public static ConsumerCapture? Create(RequestAnalyticsOptions options, ConsumerResolver? resolver, TimeProvider timeProvider, ILogger logger) =>
        options.ConsumerHeader is null && options.ConsumerClaim is null && resolver is null
            ? null
            : new ConsumerCapture(options.ConsumerHeader, options.ConsumerClaim, resolver?.Resolve, timeProvider, logger);

    /// <summary>The consumer of the request, normalized (<see cref="Normalize"/>), or <see langword="null"/>.</summary>
    public string? Read(HttpContext context)
    {
        if (_header is not null && context.Request.Headers.TryGetValue(_header, out var values))
        {
            // Repeated headers: the first one that names someone.
            foreach (var value in values)
            {
                if (Normalize(value) is { } fromHeader)
                {
                    return fromHeader;
                }
            }
        }

        if (_claim is not null && Normalize(FindClaim(context, _claim)) is { } fromClaim)
        {
            return fromClaim;
        }

        if (_resolve is null)
        {
            return null;
        }

        try
        {
            return Normalize(_resolve(context));
        }
        catch (Exception ex)
        {
            // The host's code: it must never break the request, nor lose the request's record.
            ReportFailure(ex);
            return null;
        }
    }

    /// <summary>
    /// Trims <paramref name="value"/>, cuts it to <see cref="RequestAnalyticsDefaults.MaxConsumerLength"/> characters
    /// (never inside a surrogate pair) and replaces control characters and lone surrogates with U+FFFD, so that what is
    /// stored is printable text PostgreSQL accepts and still counts the caller; <see langword="null"/> when nothing is left.
    /// Allocates only when it changes something.
    /// </summary>
    internal static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = TextLimit.Truncate(value.Trim(), RequestAnalyticsDefaults.MaxConsumerLength).TrimEnd();
        for (int i = 0; i < text.Length; i++)
        {
            if (IsUnfit(text, i))
            {
                return Replace(text, i);
            }

            i += char.IsHighSurrogate(text[i]) ? 1 : 0; // a whole pair: skip its low half
        }

        return text;
    }

    private static bool IsUnfit(string text, int i)
    {
        char c = text[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
        }

        return char.IsLowSurrogate(c) || char.IsControl(c);
    }

    private static string Replace(string text, int first) => string.Create(text.Length, (text, first), static (span, state) =>
    {
        var (text, first) = state;
        text.AsSpan().CopyTo(span);
        for (int i = first; i < span.Length; i++)
        {
            if (IsUnfit(text, i))
            {
                span[i] = '\uFFFD';
            }
            else if (char.IsHighSurrogate(span[i]))
            {
                i++;
            }
        }
    });

    private static string? FindClaim(HttpContext context, string claimType)
    {
        // The feature, not HttpContext.User: the property allocates an empty principal when nothing signed in.
        ClaimsPrincipal? user = (context.Features[typeof(IHttpAuthenticationFeature)] as IHttpAuthenticationFeature)?.User;
        return user?.Identity?.IsAuthenticated == true ? user.FindFirst(claimType)?.Value : null;
    }

    private void ReportFailure(Exception error)
    {
        if (_failureLog.Count() is var count and > 0)
        {
            GuardedLog.Write(_logger, static (logger, state) => LogResolverFailed(logger, state.count, state.error), (count, error));
        }
    }

    [LoggerMessage(EventId = 160, EventName = "ConsumerResolverFailed", Level = LogLevel.Warning,
        Message = "The consumer resolver (ResolveConsumer) threw on {Count} requests since the last report; they were " +
            "recorded without a consumer. The exception is the latest one.")]
    private static partial void LogResolverFailed(ILogger logger, long count, Exception exception);
}
