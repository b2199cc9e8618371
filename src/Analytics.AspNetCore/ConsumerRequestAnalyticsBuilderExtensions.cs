using Analytics;
using Analytics.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Names the API consumer of each request in the host's own way.</summary>
public static class ConsumerRequestAnalyticsBuilderExtensions
{
    /// <summary>
    /// Names the consumer of a request with <paramref name="resolve"/>, called as the request ends (after authentication
    /// and the endpoint ran) when neither <see cref="RequestAnalyticsOptions.ConsumerHeader"/> nor
    /// <see cref="RequestAnalyticsOptions.ConsumerClaim"/> named one. What it returns is trimmed and cut to 100
    /// characters; <see langword="null"/> or blank names no one. It must be quick and thread-safe: it runs on every
    /// request. An exception from it is logged (at most once a minute) and the request is recorded without a consumer;
    /// the request itself is not affected. A later call replaces an earlier one.
    /// </summary>
    /// <param name="builder">The builder <c>AddRequestAnalytics</c> returned.</param>
    /// <param name="resolve">Returns the consumer of a request, for example from a route value or an API key lookup.</param>
    /// <returns>The same builder, to chain further configuration.</returns>
    public static IRequestAnalyticsBuilder ResolveConsumer(this IRequestAnalyticsBuilder builder, Func<HttpContext, string?> resolve)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(resolve);
        builder.Services.Replace(ServiceDescriptor.Singleton(new ConsumerResolver(resolve)));
        return builder;
    }
}
