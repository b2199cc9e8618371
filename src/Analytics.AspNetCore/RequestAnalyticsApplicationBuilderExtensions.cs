using Analytics.AspNetCore;
using Analytics.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the request analytics middleware to the pipeline.</summary>
public static class RequestAnalyticsApplicationBuilderExtensions
{
    /// <summary>
    /// Records every request the app receives. Place it early: after the exception handler and forwarded headers, before
    /// the endpoints. The path, endpoint and exception are read at this point; the request's timing, status and bytes on
    /// the wire are taken around the whole pipeline (a startup filter adds that part), so requests that output caching,
    /// static files or compression handle before this point are recorded too, with the compressed size. Never blocks and
    /// never throws into a request.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <returns>The same application builder.</returns>
    /// <exception cref="InvalidOperationException"><c>AddRequestAnalytics</c> was not called.</exception>
    public static IApplicationBuilder UseRequestAnalytics(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<RequestAnalyticsMarkerService>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the request analytics services. Call 'builder.Services.AddRequestAnalytics()' before " +
                "building the application, then 'app.UseRequestAnalytics()'.");
        }

        var queue = app.ApplicationServices.GetRequiredService<AnalyticsQueue>();
        var settings = app.ApplicationServices.GetRequiredService<RequestAnalyticsMiddlewareSettings>();
        app.ApplicationServices.GetRequiredService<RequestAnalyticsPlacement>().MarkerPlaced = true;
        return app.Use(next => new RequestAnalyticsMarkerMiddleware(next, new RequestAnalyticsMiddleware(next, queue, settings)).InvokeAsync);
    }
}
