using Analytics.Live;
using Analytics.Metrics;
using Analytics.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Endpoints;

/// <summary><c>GET {prefix}/metrics</c>: the Prometheus text exposition of <see cref="PrometheusMetrics"/>.</summary>
internal static class MetricsEndpoint
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static Task<IResult> Get(HttpContext context, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var text = services.GetRequiredService<PrometheusMetrics>().Write(
            services.GetRequiredService<IAnalyticsPipeline>(),
            services.GetRequiredService<LiveFeed>().ConnectionCount,
            services.GetRequiredService<AnalyticsMetrics>());
        return Task.FromResult<IResult>(TypedResults.Text(text, ContentType));
    }
}
