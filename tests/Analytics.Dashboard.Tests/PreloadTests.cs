using System.Collections.Concurrent;
using Analytics.Testing;
using Microsoft.Playwright;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The page's head preloads the first API call of every panel; the scripts' fetch() must then ask for exactly those
/// URLs, or the browser fetches everything twice and warns. Checked for the default view and for odd page URLs whose
/// encoding the server has to reproduce byte for byte, and for a consumer filter and a comparison.
/// </summary>
public sealed class PreloadTests(SampleWithBrowser sample) : IClassFixture<SampleWithBrowser>
{
    [Theory]
    [InlineData("")]
    [InlineData("?range=7d&method=GET")]
    [InlineData("?range=1h&route=%2Fitems%2F%7Bid%7D&status=5xx&environment=Prod%20EU&instance=web-1")]
    [InlineData("?from=2026-11-01T00:00:00.000Z&to=2026-11-02T00:00:00.000Z")]
    [InlineData("?route=%F0%9F%98%80%20x!~'()*%25&range=custom")]
    [InlineData("?range=1h&compare=previous-period&consumer=")]
    [InlineData("?range=1h&consumer=acme%20%26%20co%20%F0%9F%98%80&compare=previous-release")]
    public async Task EveryPreloadedCallIsUsedByTheScriptsAndNothingIsFetchedTwice(string pageQuery)
    {
        await using var context = await sample.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var requests = new ConcurrentDictionary<string, int>();
        var console = new ConcurrentQueue<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/analytics/api/", StringComparison.Ordinal) && !request.Url.Contains("/api/stream", StringComparison.Ordinal))
            {
                requests.AddOrUpdate(request.Url, 1, (_, n) => n + 1);
            }
        };
        page.Console += (_, message) => console.Enqueue($"{message.Type}: {message.Text}");

        // No live stream: its stats (every second in this sample) reload the view 2 s later, a second round of the same
        // calls that would race the count below on a busy machine. What is measured is the first load.
        await page.RouteAsync("**/api/stream", route => route.AbortAsync());
        await page.GotoAsync($"{sample.Origin}/analytics/{pageQuery}");
        var preloads = await page.EvalOnSelectorAllAsync<string[]>("link[rel=preload]", "links => links.map(l => l.href)");
        await Wait.UntilAsync(() => preloads.All(requests.ContainsKey) && requests.Count >= preloads.Length, TimeSpan.FromSeconds(30), "every preloaded call was requested");

        // The panels have rendered from those responses (the cards leave their placeholder), with nothing refetched.
        await Assertions.Expect(page.Locator("#card-requests")).Not.ToHaveTextAsync("–", new() { Timeout = 30_000 });
        // Sixteen first calls, the access panel's three and the objectives and uptime panels' two included; with a consumer,
        // not the three reads that refuse a consumer.
        Assert.Equal(pageQuery.Contains("consumer=acme", StringComparison.Ordinal) ? 13 : 16, preloads.Length);
        Assert.Equal(preloads.Order(), requests.Keys.Where(url => !url.Contains("/api/errors/", StringComparison.Ordinal)).Order());
        Assert.All(requests, r => Assert.True(r.Value == 1, $"{r.Key} was requested {r.Value} times"));
        Assert.DoesNotContain(console, m => m.Contains("preload", StringComparison.OrdinalIgnoreCase));
    }
}
