using System.Diagnostics;
using Analytics.Pipeline;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace Analytics.AspNetCore;

/// <summary>
/// Captures one <see cref="RequestRecord"/> per request and hands it to the queue with <c>TryWrite</c>. It awaits
/// nothing but the rest of the pipeline, allocates nothing but the strings the record keeps, and never throws into
/// the request: an exception from the application is recorded as a 500 and rethrown untouched.
/// </summary>
/// <remarks>
/// It runs in one of two places. <b>Outermost</b> (<see cref="RequestAnalyticsStartupFilter"/> puts it around the whole
/// pipeline when the app calls <c>UseRequestAnalytics()</c>): it sees every request the client sent — also those that
/// output caching, static files or the exception handler answer before <c>UseRequestAnalytics()</c> — and counts the
/// body bytes as they go on the wire, after response compression; <see cref="RequestAnalyticsMarkerMiddleware"/>, where
/// the app placed <c>UseRequestAnalytics()</c>, tells it the path, endpoint and exception it saw there. <b>Standalone</b>
/// (no outermost one: a pipeline built without the web host's startup filters), the marker records through it at its own
/// place, as before.
/// </remarks>
internal sealed class RequestAnalyticsMiddleware
{
    internal const int MaxPathLength = 2_048;
    internal const int MaxUserAgentLength = 512;

    private readonly RequestDelegate _next;
    private readonly AnalyticsQueue _queue;
    private readonly RequestAnalyticsMiddlewareSettings _settings;
    private readonly bool _outermost;

    // The last endpoint seen with its route: requests mostly repeat a few endpoints, and finding the route (and whether
    // the endpoint is the library's own) is a table lookup per request. Whatever a racing write leaves here is whole.
    private EndpointRoute? _lastEndpoint;

    public RequestAnalyticsMiddleware(RequestDelegate next, AnalyticsQueue queue, RequestAnalyticsMiddlewareSettings settings, bool outermost = false)
    {
        _next = next;
        _queue = queue;
        _settings = settings;
        _outermost = outermost;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        // Outermost, a re-execution never reaches this middleware: the exception handler re-runs only what is inside it.
        if (IsExcludedPath(context.Request.Path) || (!_outermost && IsReExecution(context)))
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var timestamp = _settings.Clock.UtcNow(started);
        var body = ResponseBodyCounter.Attach(context, _outermost);
        if (body is null && _outermost)
        {
            // A server without a response body feature: the marker records at its own place instead.
            await _next(context).ConfigureAwait(false);
            return;
        }

        // What the client asked for, read before the app runs: an SPA fallback (MapFallbackToFile) rewrites the path to
        // /index.html and clears the endpoint before it serves the file.
        var target = new RequestTarget(
            context.Request.PathBase,
            context.Request.Path,
            (context.Features[typeof(IEndpointFeature)] as IEndpointFeature)?.Endpoint);
        body?.CountRequestBody(context);
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
            var marked = body is { Marked: true };
            if (marked)
            {
                // Where the app placed UseRequestAnalytics(): after forwarded headers and path base, before the endpoint.
                target = new RequestTarget(body!.MarkedPathBase, body.MarkedPath, body.MarkedEndpoint);
                error = body.MarkedError ?? error;
            }

            // Recorded before the counter is detached: detaching changes the features' revision again, and every
            // request, response and connection property the record reads would then be looked up afresh.
            if (!(marked && IsExcludedPath(target.Path)))
            {
                Record(context, target, body, timestamp, duration, body?.Bytes ?? context.Response.ContentLength ?? 0, error);
            }

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

    private void Record(
        HttpContext context,
        in RequestTarget target,
        ResponseBodyCounter? body,
        DateTimeOffset timestamp,
        TimeSpan duration,
        long responseBytes,
        Exception? error)
    {
        try
        {
            // Features by the collection's indexer, as in ResponseBodyCounter.Attach: no generic virtual call per feature.
            var endpoint = (context.Features[typeof(IEndpointFeature)] as IEndpointFeature)?.Endpoint ?? target.Endpoint;
            string route;
            if (endpoint is null)
            {
                route = body?.SentFile == true ? EndpointRoutes.StaticFile(target.Path) : RequestAnalyticsDefaults.UnmatchedRoute;
            }
            else
            {
                var known = _lastEndpoint;
                if (known is null || !ReferenceEquals(known.Endpoint, endpoint))
                {
                    _lastEndpoint = known = EndpointRoutes.Of(endpoint);
                }

                if (known.IsAnalytics)
                {
                    return;
                }

                route = known.Route;
            }

            var request = context.Request;
            var kind = GetKind(context);
            var status = error is null ? context.Response.StatusCode : FailedStatus(context, error);
            string? exceptionType = error?.GetType().FullName;
            string? exceptionMessage = error is null
                ? null
                : ExceptionCapture.Message(error, request, RequestAnalyticsDefaults.MaxExceptionMessageLength);
            if (kind == RequestKind.Grpc && error is null && GrpcStatus.Read(context, out var grpcMessage) is { } code and not 0)
            {
                status = GrpcStatus.ToHttpStatus(code);
                if (status >= StatusCodes.Status500InternalServerError)
                {
                    exceptionType = "gRPC " + GrpcStatus.Name(code);
                    exceptionMessage = grpcMessage is null
                        ? null
                        : TextLimit.Truncate(grpcMessage, RequestAnalyticsDefaults.MaxExceptionMessageLength);
                }
            }

            _queue.TryEnqueue(new RequestRecord
            {
                Timestamp = timestamp,
                Method = request.Method,
                Route = route,
                Path = GetPath(request, target),
                StatusCode = status,
                Duration = duration,
                RequestBytes = request.ContentLength ?? body?.RequestBytes ?? 0,
                ResponseBytes = responseBytes,
                ClientIp = body is null
                    ? ClientAddress.Format(context.Connection.RemoteIpAddress, _settings.AnonymizeClientIp)
                    : body.Client.Format(context.Connection.RemoteIpAddress, _settings.AnonymizeClientIp),
                UserAgent = Truncate(request.Headers.UserAgent.ToString(), MaxUserAgentLength),
                Protocol = request.Protocol,
                Kind = kind,
                TraceId = Activity.Current is { } activity ? activity.TraceId.ToHexString() : null,
                UserId = GetUserId(context),
                Environment = _settings.Identity.Environment,
                Instance = _settings.Identity.Instance,
                Release = _settings.Identity.Release,
                Consumer = _settings.Consumers?.Read(context),
                ExceptionType = exceptionType,
                ExceptionMessage = exceptionMessage,
                StackTrace = error is null ? null : ExceptionCapture.StackTrace(error, request),
            });
        }
        catch (Exception ex)
        {
            // Capturing must never break a request; a record we could not build is a dropped record.
            _queue.CountCaptureFailure(ex);
        }
    }

    /// <summary>The status the client gets for an exception that left the application, as the server and the exception handler answer it.</summary>
    private static int FailedStatus(HttpContext context, Exception error) => error switch
    {
        BadHttpRequestException bad => bad.StatusCode, // a body over the size limit (413), malformed (400) or too slow (408)
        OperationCanceledException when context.RequestAborted.IsCancellationRequested => StatusCodes.Status499ClientClosedRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    private string GetPath(HttpRequest request, in RequestTarget target)
    {
        var path = target.PathBase.HasValue ? (target.PathBase + target.Path).Value : target.Path.Value;
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

    /// <summary>The request's path and endpoint as they were where the app placed <c>UseRequestAnalytics()</c>.</summary>
    private readonly record struct RequestTarget(PathString PathBase, PathString Path, Endpoint? Endpoint);

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
