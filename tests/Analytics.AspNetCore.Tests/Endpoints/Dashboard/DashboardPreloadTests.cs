using System.Net;
using System.Text.RegularExpressions;

namespace Analytics.AspNetCore.Tests.Endpoints.Dashboard;

/// <summary>The page's head preloads the first API call of every panel, for the state in the page's own URL.</summary>
public partial class DashboardPreloadTests
{
    [Fact]
    public async Task TheHeadPreloadsTheFirstCallOfEveryPanelForThePagesOwnState()
    {
        await using var host = await EndpointTestApp.StartAsync();

        var html = await host.Client.GetStringAsync("/analytics/?range=1h&route=%2Fitems%2F%7Bid%7D&status=5xx&instance=web%201");
        var preloads = Preload().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value)).ToArray();

        // As dashboard.js builds them: range first, then the filters in form order, then the extras; URLSearchParams encoding.
        Assert.Equal(
            [
                "api/overview?range=1h&route=%2Fitems%2F%7Bid%7D&status=5xx&instance=web+1",
                "api/timeseries?range=1h&route=%2Fitems%2F%7Bid%7D&status=5xx&instance=web+1",
                "api/routes?range=1h&route=%2Fitems%2F%7Bid%7D&status=5xx&instance=web+1&limit=50",
                "api/status-codes?range=1h&route=%2Fitems%2F%7Bid%7D&status=5xx&instance=web+1",
                "api/errors?range=1h&route=%2Fitems%2F%7Bid%7D&status=5xx&instance=web+1",
                "api/heatmap?range=7d&route=%2Fitems%2F%7Bid%7D&status=5xx&instance=web+1", // a short range's heatmap shows a week
                "api/events?range=1h&route=%2Fitems%2F%7Bid%7D&status=5xx&instance=web+1",
                "api/health-metrics?range=1h&instance=web+1", // process health knows only instances
                "api/consumers?range=1h&route=%2Fitems%2F%7Bid%7D&status=5xx&instance=web+1&limit=10",
                "api/releases?range=1h&instance=web+1", // release markers show deploys, whichever requests are looked at
                "api/endpoints",
                "api/routes?range=1h&route=%2Fitems%2F%7Bid%7D&status=401&instance=web+1&limit=1000", // the access panel's refusals
                "api/routes?range=1h&route=%2Fitems%2F%7Bid%7D&status=403&instance=web+1&limit=1000",
                "api/routes?range=1h&route=%2Fitems%2F%7Bid%7D&status=429&instance=web+1&limit=1000",
                "api/slos?instance=web+1", // objectives have their own windows: only the environment and instance apply
                "api/uptime?range=1h&instance=web+1", // health checks know only instances
            ],
            preloads);
        foreach (var preload in preloads)
        {
            using var response = await host.Client.GetAsync("/analytics/" + preload);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{preload} answered {response.StatusCode}");
        }
    }

    [Fact]
    public async Task WithAConsumerTheReadsWithoutAConsumerDimensionAreNotPreloadedAndTheComparisonIsPassedOn()
    {
        await using var host = await EndpointTestApp.StartAsync();

        var html = await host.Client.GetStringAsync("/analytics/?range=1h&consumer=acme%20co&compare=previous-release");
        var preloads = Preload().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value)).ToArray();

        // No errors, events or health-metrics: they answer consumer= with a 400, so the page does not ask them.
        Assert.Equal(
            [
                "api/overview?range=1h&consumer=acme+co&compare=previous-release",
                "api/timeseries?range=1h&consumer=acme+co",
                "api/routes?range=1h&consumer=acme+co&limit=50&compare=previous-release",
                "api/status-codes?range=1h&consumer=acme+co",
                "api/heatmap?range=7d&consumer=acme+co",
                "api/consumers?range=1h&consumer=acme+co&limit=10&compare=previous-release",
                "api/releases?range=1h",
                "api/endpoints",
                "api/routes?range=1h&status=401&consumer=acme+co&limit=1000", // the access panel's: the consumer kept, no comparison
                "api/routes?range=1h&status=403&consumer=acme+co&limit=1000",
                "api/routes?range=1h&status=429&consumer=acme+co&limit=1000",
                "api/slos", // neither has a consumer dimension, and neither is refused: asked without it
                "api/uptime?range=1h",
            ],
            preloads);
    }

    [Theory]
    [InlineData("", "api/overview?range=24h")]
    [InlineData("?from=2026-11-01T00:00:00.000Z", "api/overview?from=2026-11-01T00%3A00%3A00.000Z")]
    [InlineData("?from=2026-11-01T00:00:00.000Z&to=2026-11-02T00:00:00.000Z&range=7d", "api/overview?from=2026-11-01T00%3A00%3A00.000Z&to=2026-11-02T00%3A00%3A00.000Z")]
    [InlineData("?range=custom", "api/overview?range=24h")]
    [InlineData("?range=", "api/overview?range=24h")]
    [InlineData("?compare=tomorrow", "api/overview?range=24h")] // as readState: an unknown comparison is none
    [InlineData("?range=nope&range=7d", "api/overview?range=nope")] // the first value, as URLSearchParams.get; the API names the bad range
    [InlineData("?method=GET&route=%F0%9F%98%80%20x!~'()*", "api/overview?range=24h&route=%F0%9F%98%80+x%21%7E%27%28%29*&method=GET")]
    public async Task ThePreloadedUrlFollowsThePageUrlEvenWhenItIsOdd(string pageQuery, string overview)
    {
        await using var host = await EndpointTestApp.StartAsync();

        var html = await host.Client.GetStringAsync("/analytics/" + pageQuery);

        Assert.Equal(overview, WebUtility.HtmlDecode(Preload().Matches(html)[0].Groups["url"].Value));
    }

    [Fact]
    public async Task AHugeQueryStringGetsNoPreloadsButStillThePage()
    {
        await using var host = await EndpointTestApp.StartAsync();

        using var response = await host.Client.GetAsync("/analytics/?route=" + new string('x', 3_000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Empty(Preload().Matches(html));
        Assert.Contains("dashboard.bundle.js", html);
    }

    [GeneratedRegex(@"<link rel=""preload"" as=""fetch"" crossorigin=""anonymous"" href=""(?<url>[^""]+)"">")]
    private static partial Regex Preload();
}
