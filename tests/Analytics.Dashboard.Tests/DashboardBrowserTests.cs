using System.Collections.Concurrent;
using System.Text.Json;
using Analytics.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Analytics.Dashboard.Tests;

/// <summary>The dashboard in a real headless chromium against the sample on 127.0.0.1.</summary>
public sealed class DashboardBrowserTests(SampleWithBrowser sample, ITestOutputHelper output) : IClassFixture<SampleWithBrowser>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ThePageShowsWhatTheApiSaysUpdatesLiveFiltersAndTogglesDarkMode()
    {
        // Known traffic, recorded before the page opens: 30 item reads, 4 unknown items (404).
        for (var i = 1; i <= 30; i++)
        {
            (await sample.Client.GetAsync($"{sample.Origin}/items/{i}")).Dispose();
        }

        for (var i = 0; i < 4; i++)
        {
            (await sample.Client.GetAsync($"{sample.Origin}/items/{5000 + i}")).Dispose();
        }

        await Wait.UntilAsync(async () => (await OverviewAsync("range=24h")).GetProperty("totalRequests").GetInt64() >= 34, Deadline, "the sample records the test's traffic");
        var overview = await OverviewAsync("range=24h");

        await using var context = await sample.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = PageProblems.Watch(page);
        var requests = new ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(request.Url);

        await page.GotoAsync($"{sample.Origin}/analytics/");

        // The cards show the numbers the API returns.
        await Assertions.Expect(page.Locator("#card-requests")).ToHaveTextAsync(overview.GetProperty("totalRequests").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#card-errors")).ToHaveTextAsync($"{overview.GetProperty("errorRequests").GetInt64()} errors");
        await Assertions.Expect(page.Locator("#connection")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("live"), new() { Timeout = 10_000 });

        // A request made now appears in the live feed within 5 s.
        (await sample.Client.GetAsync($"{sample.Origin}/users/browser-test/orders/7")).Dispose();
        await Assertions.Expect(page.Locator("#live tbody")).ToContainTextAsync("/users/browser-test/orders/7", new() { Timeout = 5_000 });

        await Screenshot(page, "light-desktop");

        // Changing the range changes the API calls and the URL.
        var chartBefore = await page.Locator("#chart-requests").InnerHTMLAsync();
        var seen = requests.Count;
        await page.Locator("#range").SelectOptionAsync("7d");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"\?range=7d$"));
        await Wait.UntilAsync(() => requests.Skip(seen).Any(u => u.Contains("/api/timeseries?range=7d", StringComparison.Ordinal)), Deadline, "the page asks for 7 days");
        await Wait.UntilAsync(async () => await page.Locator("#chart-requests").InnerHTMLAsync() != chartBefore, Deadline, "the chart redraws for 7 days");

        // Clicking a route filters everything by it.
        seen = requests.Count;
        await page.GetByRole(AriaRole.Button, new() { Name = "GET /items/{id:int}", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"route=%2Fitems%2F%7Bid%3Aint%7D&method=GET"));
        await Wait.UntilAsync(() => requests.Skip(seen).Any(u => u.Contains("/api/overview?", StringComparison.Ordinal) && u.Contains("route=%2Fitems%2F%7Bid%3Aint%7D", StringComparison.Ordinal)), Deadline, "the overview is asked for the route");
        await Assertions.Expect(page.Locator("#route")).ToHaveValueAsync("/items/{id:int}");
        await Assertions.Expect(page.Locator("#card-requests")).ToHaveTextAsync("34");

        // Dark mode toggles, and sticks.
        var lightBackground = await page.EvaluateAsync<string>("getComputedStyle(document.documentElement).backgroundColor");
        await page.Locator("#theme").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        Assert.NotEqual(lightBackground, await page.EvaluateAsync<string>("getComputedStyle(document.documentElement).backgroundColor"));
        await page.Locator("#clear").ClickAsync();
        await Screenshot(page, "dark-desktop");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");

        // Nothing left 127.0.0.1, and the console stayed clean.
        Assert.All(requests, url => Assert.StartsWith(sample.Origin + "/", url));
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task AtPhoneWidthThePageFitsWithoutSidewaysScrolling(string theme)
    {
        await using var context = await sample.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");
        await Assertions.Expect(page.Locator("#card-requests")).Not.ToHaveTextAsync("–", new() { Timeout = 10_000 });

        await Screenshot(page, $"{theme}-phone");
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than a phone");
    }

    private async Task<JsonElement> OverviewAsync(string query) =>
        JsonDocument.Parse(await sample.Client.GetStringAsync($"{sample.Origin}/analytics/api/overview?{query}")).RootElement;

    private async Task Screenshot(IPage page, string name)
    {
        // The alerts panel loads when it is scrolled to: the full-page picture shows it loaded, and the page must still fit.
        await page.Locator("#alerts-panel").ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(page.Locator("#alert-rules tbody")).ToContainTextAsync("More than 5 % of requests fail", new() { Timeout = 10_000 });
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        var path = Path.Combine(SampleWithBrowser.Screenshots, $"dashboard-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
