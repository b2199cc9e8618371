using Analytics.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Analytics.AspNetCore;

/// <summary>
/// Puts the recording middleware around the whole pipeline — outside response compression, output caching, static files
/// and the exception handler, wherever the app placed them — once the app has called <c>UseRequestAnalytics()</c>. An
/// app that did not call it gets nothing added.
/// </summary>
internal sealed class RequestAnalyticsStartupFilter(
    RequestAnalyticsPlacement placement,
    AnalyticsQueue queue,
    RequestAnalyticsMiddlewareSettings settings) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // The factory runs when the pipeline is built, after the app's own middleware (registered inside next) was.
        app.Use(inner => placement.MarkerPlaced ? new RequestAnalyticsMiddleware(inner, queue, settings, outermost: true).InvokeAsync : inner);
        next(app);
    };
}
