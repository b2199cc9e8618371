using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Analytics.AspNetCore;

/// <summary>
/// What <c>UseRequestAnalytics()</c> adds where the app places it. When the outermost
/// <see cref="RequestAnalyticsMiddleware"/> runs around the pipeline, this tells it what the request looked like here —
/// path and path base after forwarded headers and <c>UsePathBase</c>, the endpoint routing chose, and the exception on
/// its way to the exception handler — and records nothing itself. Without an outermost one, it records the request
/// through <paramref name="standalone"/> at this place.
/// </summary>
internal sealed class RequestAnalyticsMarkerMiddleware(RequestDelegate next, RequestAnalyticsMiddleware standalone)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features[typeof(ResponseBodyCounter)] is not ResponseBodyCounter outer)
        {
            return standalone.InvokeAsync(context);
        }

        // A re-execution (exception handler, status-code pages) passes through again: the first pass is the request's.
        return outer.Marked ? next(context) : MarkAsync(context, outer);
    }

    private async Task MarkAsync(HttpContext context, ResponseBodyCounter outer)
    {
        outer.Mark(context.Request, (context.Features[typeof(IEndpointFeature)] as IEndpointFeature)?.Endpoint);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outer.MarkedError = ex;
            throw;
        }
        finally
        {
            // Routing placed after UseRequestAnalytics() chooses the endpoint inside.
            outer.MarkedEndpoint ??= (context.Features[typeof(IEndpointFeature)] as IEndpointFeature)?.Endpoint;
        }
    }
}
