using System.Diagnostics;
using Analytics.Pipeline;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Routing;

namespace Analytics.AspNetCore;

/// <summary>
/// Captures one <see cref="RequestRecord"/> per request and hands it to the queue with <c>TryWrite</c>. It awaits
/// nothing but the rest of the pipeline, allocates nothing but the strings the record keeps, and never throws into
/// the request: an exception from the application is recorded as a 500 and rethrown untouched.
/// </summary>
internal sealed class RequestAnalyticsMiddleware
{
    internal const int MaxPathLength = 2_048;
    internal const int MaxUserAgentLength = 512;

    private readonly RequestDelegate _next;
    private readonly AnalyticsQueue _queue;
    private readonly RequestAnalyticsMiddlewareSettings _settings;

    // The last endpoint found not to be one of the library's own: requests mostly repeat a few endpoints, and the
    // metadata lookup is a dictionary probe per request. Whatever a racing write leaves here was checked.
    private Endpoint? _lastRecordedEndpoint;

    public RequestAnalyticsMiddleware(RequestDelegate next, AnalyticsQueue queue, RequestAnalyticsMiddlewareSettings settings)
    {
        _next = next;
        _queue = queue;
        _settings = settings;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (IsExcludedPath(context.Request.Path) || IsReExecution(context))
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var timestamp = _settings.Clock.UtcNow(started);
        var body = ResponseBodyCounter.Attach(context);
        Exception? error = null;
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            var duration = Stopwatch.GetElapsedTime(started);

            // Recorded before the counter is detached: detaching changes the features' revision again, and every
            // request, response and connection property the record reads would then be looked up afresh.
            Record(context, body, timestamp, duration, body?.Bytes ?? context.Response.ContentLength ?? 0, error);
            body?.Detach(context);
        }
    }

    /// <summary>
    /// Whether the exception handler or the status-code pages run the pipeline again for a request this middleware
    /// already recorded (with its own path, status and exception): recording the re-run too would count it twice.
    /// </summary>
    private static bool IsReExecution(HttpContext context)
    {
        var features = context.Features;
        return features[typeof(IExceptionHandlerFeature)] is not null || features[typeof(IStatusCodeReExecuteFeature)] is not null;
    }

    private bool IsExcludedPath(PathString path)
    {
        foreach (var excluded in _settings.ExcludePaths)
        {
            if (path.StartsWithSegments(excluded, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private void Record(HttpContext context, ResponseBodyCounter? body, DateTimeOffset timestamp, TimeSpan duration, long responseBytes, Exception? error)
    {
        try
        {
            // Features by the collection's indexer, as in ResponseBodyCounter.Attach: no generic virtual call per feature.
            var endpoint = (context.Features[typeof(IEndpointFeature)] as IEndpointFeature)?.Endpoint;
            if (IsAnalyticsEndpoint(endpoint))
            {
                return;
            }

            var request = context.Request;
            _queue.TryEnqueue(new RequestRecord
            {
                Timestamp = timestamp,
                Method = request.Method,
                Route = GetRoute(endpoint),
                Path = GetPath(request),
                StatusCode = error is null ? context.Response.StatusCode : FailedStatus(context, error),
                Duration = duration,
                RequestBytes = request.ContentLength ?? 0,
                ResponseBytes = responseBytes,
                ClientIp = body is null
                    ? ClientAddress.Format(context.Connection.RemoteIpAddress, _settings.AnonymizeClientIp)
                    : body.FormatClient(context.Connection.RemoteIpAddress, _settings.AnonymizeClientIp),
                UserAgent = Truncate(request.Headers.UserAgent.ToString(), MaxUserAgentLength),
                Protocol = request.Protocol,
                Kind = GetKind(context),
                TraceId = Activity.Current is { } activity ? activity.TraceId.ToHexString() : null,
                UserId = GetUserId(context),
                Environment = _settings.Identity.Environment,
                Instance = _settings.Identity.Instance,
                ExceptionType = error?.GetType().FullName,
                ExceptionMessage = error is null ? null : ExceptionCapture.Message(error, request, RequestAnalyticsDefaults.MaxExceptionMessageLength),
                StackTrace = error is null ? null : ExceptionCapture.StackTrace(error, request),
            });
        }
        catch (Exception ex)
        {
            // Capturing must never break a request; a record we could not build is a dropped record.
            _queue.CountCaptureFailure(ex);
        }
    }

    private bool IsAnalyticsEndpoint(Endpoint? endpoint)
    {
        if (endpoint is null || ReferenceEquals(endpoint, _lastRecordedEndpoint))
        {
            return false;
        }

        if (endpoint.Metadata.GetMetadata<AnalyticsEndpointMetadata>() is not null)
        {
            return true;
        }

        _lastRecordedEndpoint = endpoint;
        return false;
    }

    /// <summary>The status the client gets for an exception that left the application, as the server and the exception handler answer it.</summary>
    private static int FailedStatus(HttpContext context, Exception error) => error switch
    {
        BadHttpRequestException bad => bad.StatusCode, // a body over the size limit (413), malformed (400) or too slow (408)
        OperationCanceledException when context.RequestAborted.IsCancellationRequested => StatusCodes.Status499ClientClosedRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string GetRoute(Endpoint? endpoint) => endpoint switch
    {
        RouteEndpoint { RoutePattern.RawText: { } template } => template,
        null => RequestAnalyticsDefaults.UnmatchedRoute,
        _ => endpoint.DisplayName ?? RequestAnalyticsDefaults.UnmatchedRoute,
    };

    private string GetPath(HttpRequest request)
    {
        var path = request.PathBase.HasValue ? (request.PathBase + request.Path).Value : request.Path.Value;
        if (string.IsNullOrEmpty(path))
        {
            path = "/";
        }

        if (_settings.CaptureQueryString && request.QueryString.HasValue)
        {
            path += request.QueryString.Value;
        }

        return Truncate(path, MaxPathLength)!;
    }

    private static RequestKind GetKind(HttpContext context)
    {
        // The feature itself, not context.WebSockets: the manager re-reads its cached features on every request here,
        // because swapping the body feature changes the collection's revision.
        if ((context.Features[typeof(IHttpWebSocketFeature)] as IHttpWebSocketFeature)?.IsWebSocketRequest == true)
        {
            return RequestKind.WebSocket;
        }

        if (context.Request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            return RequestKind.Grpc;
        }

        // Decided as the response ends, from what it was: an event stream (TypedResults.ServerSentEvents, SignalR's SSE
        // transport, a hand-written one) stays open as long as its client, whatever the request looked like. SignalR's
        // long polling answers with ordinary responses and stays Http.
        return context.Response.ContentType is { } responseType && responseType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase)
            ? RequestKind.ServerSentEvents
            : RequestKind.Http;
    }

    private string? GetUserId(HttpContext context)
    {
        // Read the feature, not HttpContext.User: the property allocates an empty principal when nothing signed in.
        var user = (context.Features[typeof(IHttpAuthenticationFeature)] as IHttpAuthenticationFeature)?.User;
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        foreach (var claimType in _settings.UserIdClaims)
        {
            if (user.FindFirst(claimType) is { } claim)
            {
                return claim.Value;
            }
        }

        return null;
    }

    private static string? Truncate(string? value, int maxLength) =>
        string.IsNullOrEmpty(value) ? null : TextLimit.Truncate(value, maxLength);
}
