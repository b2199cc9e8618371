using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Analytics.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The top-consumers panel, the comparison deltas and the release markers, against the sample's real API with traffic
/// from three consumers across two releases (<see cref="SampleWithConsumers"/>).
/// </summary>
public sealed class ConsumersPanelTests(SampleWithConsumers sample, ITestOutputHelper output) : IClassFixture<SampleWithConsumers>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ThePanelListsTheThreeConsumersAndClickingOneFiltersEveryPanelByIt()
    {
        var (context, page, problems, requests) = await NewPageAsync();
        await using var owned = context;
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");

        var rows = page.Locator("#consumers tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3, new() { Timeout = 10_000 });
        foreach (var (consumer, count) in sample.Sent)
        {
            var row = page.Locator($"#consumers tr[data-consumer='{consumer}']");
            await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(count.ToString(CultureInfo.InvariantCulture));
        }

        // Most requests first.
        Assert.Equal(sample.Sent.OrderByDescending(s => s.Value).Select(s => s.Key), await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.consumer)"));
        await Screenshot(page, "consumers-panel", page.Locator("#consumers-panel"));

        var seen = requests.Count;
        await page.Locator("#consumers").GetByRole(AriaRole.Button, new() { Name = "gamma", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"[?&]consumer=gamma(&|$)"));
        await Wait.UntilAsync(() => requests.Skip(seen).Any(u => u.Contains("/api/overview?", StringComparison.Ordinal) && u.Contains("consumer=gamma", StringComparison.Ordinal)), Deadline, "the overview is asked for gamma");
        await Assertions.Expect(page.Locator("#card-requests")).ToHaveTextAsync(sample.Sent["gamma"].ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#consumer")).ToHaveValueAsync("gamma");
        await Assertions.Expect(page.Locator("#consumers tbody tr")).ToHaveCountAsync(1);

        // The reads with no consumer dimension are not asked (they would answer 400): their panels say why they are empty.
        await Assertions.Expect(page.Locator("#chart-events")).ToContainTextAsync("Not available per consumer");
        await Assertions.Expect(page.Locator("#chart-health")).ToContainTextAsync("Not available per consumer");
        await Assertions.Expect(page.Locator("#errors tbody")).ToContainTextAsync("not available per consumer");
        Assert.DoesNotContain(requests.Skip(seen), u => u.Contains("consumer=", StringComparison.Ordinal) && Regex.IsMatch(u, "/api/(events|errors|health-metrics)\\?"));
        await Screenshot(page, "consumer-filtered", null);

        // Clearing the filters shows everyone again.
        await page.Locator("#clear").ClickAsync();
        await Assertions.Expect(page.Locator("#consumers tbody tr")).ToHaveCountAsync(3);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task ComparedWithThePreviousPeriodTheCardsAndTablesShowDeltasColouredByDirection()
    {
        var (context, page, problems, requests) = await NewPageAsync();
        await using var owned = context;

        // From the minute release 2.0.0's traffic began, ten minutes: the previous period holds release 1.0.0's alone,
        // which never failed and whose p95 was gamma's second.
        var range = $"from={SampleWithConsumers.UrlTime(sample.Boundary)}&to={SampleWithConsumers.UrlTime(sample.Boundary.AddMinutes(10))}";
        await page.GotoAsync($"{sample.Origin}/analytics/?{range}");
        await Assertions.Expect(page.Locator("#card-requests")).Not.ToHaveTextAsync("–", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#delta-requests")).ToBeHiddenAsync();

        var seen = requests.Count;
        await page.Locator("#compare").SelectOptionAsync("previous-period");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("compare=previous-period"));
        await Wait.UntilAsync(() => requests.Skip(seen).Any(u => u.Contains("/api/overview?", StringComparison.Ordinal) && u.Contains("compare=previous-period", StringComparison.Ordinal)), Deadline, "the overview is asked with the comparison");

        var overview = await sample.ApiAsync($"overview?{range}&compare=previous-period");
        var previous = overview.GetProperty("previous");
        Assert.Equal(13, previous.GetProperty("totalRequests").GetInt64());
        Assert.True(overview.GetProperty("totalRequests").GetInt64() > previous.GetProperty("totalRequests").GetInt64(), "more requests since");
        Assert.True(overview.GetProperty("errorRate").GetDouble() > 0 && previous.GetProperty("errorRate").GetDouble() == 0, "release 2.0.0 failed, 1.0.0 did not");
        var (p95, p95Before) = (overview.GetProperty("latency").GetProperty("p95").GetDouble(), previous.GetProperty("latency").GetProperty("p95").GetDouble());
        Assert.True(p95 < p95Before, $"gamma was slow in 1.0.0 only, yet p95 is {p95} ms after {p95Before} ms");

        // More requests: neutral. More errors: worse, red. Lower latency: better, green.
        await Assertions.Expect(page.Locator("#delta-requests")).ToHaveTextAsync(new Regex(@"^\+[\d.,]+ %$"));
        await Assertions.Expect(page.Locator("#delta-requests")).ToHaveClassAsync("delta neutral");
        await Assertions.Expect(page.Locator("#delta-error-rate")).ToHaveTextAsync(new Regex(@"^\+[\d.]+ pt$"));
        await Assertions.Expect(page.Locator("#delta-error-rate")).ToHaveClassAsync("delta worse");
        await Assertions.Expect(page.Locator("#delta-p95")).ToHaveTextAsync(new Regex(@"^\u2212[\d.]+ m?s$"));
        await Assertions.Expect(page.Locator("#delta-p95")).ToHaveClassAsync("delta better");
        Assert.NotEqual(await page.Locator("#delta-error-rate").EvaluateAsync<string>("e => getComputedStyle(e).color"), await page.Locator("#delta-p95").EvaluateAsync<string>("e => getComputedStyle(e).color"));

        // The routes and consumers tables carry deltas too: gamma's p95 fell, /flaky is new.
        await Assertions.Expect(page.Locator("#consumers tr[data-consumer='gamma'] td").Nth(3).Locator(".delta")).ToHaveClassAsync("delta better");
        await Assertions.Expect(page.Locator("#routes tbody")).ToContainTextAsync("new");
        await Screenshot(page, "compare-previous-period", page.Locator(".cards"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task ReleaseMarkersNameEachReleaseOnTheChartsAndSinceLastReleaseComparesWithTheOneBefore()
    {
        var (context, page, problems, _) = await NewPageAsync();
        await using var owned = context;
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");

        foreach (var chart in new[] { "#chart-requests", "#chart-latency" })
        {
            foreach (var release in new[] { "1.0.0", "2.0.0" })
            {
                var marker = page.Locator($"{chart} g.release[data-release='{release}']");
                await Assertions.Expect(marker).ToHaveCountAsync(1, new() { Timeout = 10_000 });
                await Assertions.Expect(marker.Locator("text")).ToHaveTextAsync(release);
            }
        }

        // The older release's marker is left of the newer one's.
        async Task<double> X(string release) =>
            await page.Locator($"#chart-requests g.release[data-release='{release}'] line").EvaluateAsync<double>("l => l.x1.baseVal.value");
        var (older, newer) = (await X("1.0.0"), await X("2.0.0"));
        Assert.True(older < newer, $"1.0.0 at {older}, 2.0.0 at {newer}");
        await Screenshot(page, "release-markers", page.Locator("#chart-requests").Locator(".."));

        await Assertions.Expect(page.Locator("#since-release")).ToHaveTextAsync("Since release 2.0.0");
        await page.Locator("#since-release").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("from=.*compare=previous-release"));
        await Assertions.Expect(page.Locator("#compare")).ToHaveValueAsync("previous-release");
        await Assertions.Expect(page.Locator("#delta-requests")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#delta-error-rate")).ToHaveClassAsync("delta worse");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task APageFilteredByAConsumerPreloadsOnlyTheCallsItMakesAndUsesEach()
    {
        var (context, page, problems, requests) = await NewPageAsync();
        await using var owned = context;
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h&consumer=gamma&compare=previous-period");
        var preloads = await page.EvalOnSelectorAllAsync<string[]>("link[rel=preload]", "links => links.map(l => l.href)");
        await Assertions.Expect(page.Locator("#card-requests")).ToHaveTextAsync(sample.Sent["gamma"].ToString(CultureInfo.InvariantCulture), new() { Timeout = 10_000 });
        await Wait.UntilAsync(() => preloads.All(requests.Contains), Deadline, "every preloaded call was requested");

        // Not errors, events or health-metrics, which refuse consumer=; every preloaded URL fetched, nothing else.
        Assert.Equal(13, preloads.Length); // 16 first calls less the three
        var api = requests.Where(u => u.Contains("/analytics/api/", StringComparison.Ordinal) && !u.Contains("/api/stream", StringComparison.Ordinal)).ToList();
        Assert.Equal(preloads.Order(), api.Distinct().Order());
        Assert.Empty(problems);
    }

    private async Task<(IBrowserContext Context, IPage Page, ConcurrentQueue<string> Problems, ConcurrentQueue<string> Requests)> NewPageAsync()
    {
        var context = await sample.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var requests = new ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(request.Url);
        return (context, page, PageProblems.Watch(page), requests);
    }

    private async Task Screenshot(IPage page, string name, ILocator? element)
    {
        var path = Path.Combine(SampleWithBrowser.Screenshots, $"{name}.png");
        if (element is null)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        }
        else
        {
            await element.ScreenshotAsync(new LocatorScreenshotOptions { Path = path });
        }

        output.WriteLine($"screenshot: {path}");
    }
}
