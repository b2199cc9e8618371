using System.Net;

namespace Analytics.AspNetCore.Tests.Endpoints.Api;

/// <summary><c>GET {prefix}/metrics</c>: what a Prometheus scrape reads. Its format is checked by promtool in <see cref="SampleTests"/>.</summary>
public class MetricsEndpointTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AScrapeReadsTheTrafficRecordedSoFarAsPrometheusText()
    {
        await using var host = await EndpointTestApp.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            (await host.Client.GetAsync($"/items/{i}")).Dispose();
        }

        (await host.Client.GetAsync("/fail")).Dispose();
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        using var response = await host.Client.GetAsync("/analytics/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("analytics_http_requests_total{route=\"/items/{id:int}\",method=\"GET\",status=\"200\"} 3\n", text);
        Assert.Contains("analytics_http_requests_total{route=\"/fail\",method=\"GET\",status=\"500\"} 1\n", text);
        Assert.Contains("analytics_http_request_duration_seconds_count{route=\"/items/{id:int}\",method=\"GET\",status=\"200\"} 3\n", text);
        Assert.Contains("analytics_records_written_total 4\n", text);

        // Scrapes are the group's own traffic: never recorded.
        (await host.Client.GetAsync("/analytics/metrics")).Dispose();
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(4, host.Pipeline.Written);
    }

    [Fact]
    public async Task ARemoteScraperNeedsAuthorizationOrAllowRemoteAccess()
    {
        await using var host = await EndpointTestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/analytics/metrics");
        request.Headers.Add(EndpointTestApp.RemoteHeader, "203.0.113.5");

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
