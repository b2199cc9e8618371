using Analytics.AspNetCore;
using Analytics.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the request analytics middleware to the pipeline.</summary>
public static class RequestAnalyticsApplicationBuilderExtensions
{
    /// <summary>
    /// Records every request that passes through this point. Place it early: after the exception handler and forwarded
    /// headers, before the endpoints. Never blocks and never throws into a request.
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
                "Unable to find the request analytics services. Call 'builder.Services.AddRequestAnalytics()' before building the application, then 'app.UseRequestAnalytics()'.");
        }

        var queue = app.ApplicationServices.GetRequiredService<AnalyticsQueue>();
        var settings = app.ApplicationServices.GetRequiredService<RequestAnalyticsMiddlewareSettings>();
        return app.Use(next => new RequestAnalyticsMiddleware(next, queue, settings).InvokeAsync);
    }
}
