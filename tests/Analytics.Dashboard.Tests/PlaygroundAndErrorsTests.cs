using Analytics.Testing;
using Microsoft.Playwright;

namespace Analytics.Dashboard.Tests;

/// <summary>The request playground and the error-group dialog, in headless chromium against the sample.</summary>
public sealed class PlaygroundAndErrorsTests(SampleWithBrowser sample) : IClassFixture<SampleWithBrowser>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ThePlaygroundSendsARequestToASampleRouteAndShowsStatusBodyAndCurl()
    {
        await using var context = await sample.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = PageProblems.Watch(page);
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");

        var options = page.Locator("#play-endpoint option");
        await Assertions.Expect(options.Filter(new() { HasText = "GET /items/{id:int}" })).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        var listed = await options.AllTextContentsAsync();
        Assert.DoesNotContain(listed, o => o.Contains("/analytics", StringComparison.Ordinal));

        await page.Locator("#play-endpoint").SelectOptionAsync(new SelectOptionValue { Label = "GET /items/{id:int}" });
        await page.Locator("#play-parameters input[data-parameter='id']").FillAsync("42");
        await page.Locator("#play-headers").FillAsync("X-Playground: yes");
        await page.Locator("#play-send").ClickAsync();

        await Assertions.Expect(page.Locator("#play-status")).ToContainTextAsync("200", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#play-response")).ToContainTextAsync("\"name\": \"Item 42\"");
        await Assertions.Expect(page.Locator("#play-curl")).ToHaveTextAsync($"curl -X GET '{sample.Origin}/items/42' -H 'X-Playground: yes'");

        Assert.Empty(problems);

        // A 404 is shown as such (chromium logs the failed fetch itself, and nothing else).
        await page.Locator("#play-parameters input[data-parameter='id']").FillAsync("5000");
        await page.Locator("#play-send").ClickAsync();
        await Assertions.Expect(page.Locator("#play-status")).ToContainTextAsync("404", new() { Timeout = 10_000 });
        Assert.All(problems, p => Assert.Contains("404", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnErrorGroupOpensWithItsStackTraceAndCanBeResolved()
    {
        // The sample's /flaky route throws about one call in five.
        await Wait.UntilAsync(
            async () => (await sample.Client.GetAsync($"{sample.Origin}/flaky")).StatusCode == System.Net.HttpStatusCode.InternalServerError,
            Deadline,
            "/flaky throws at least once");

        await using var context = await sample.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = PageProblems.Watch(page);
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");

        var error = page.Locator("#errors .error-link", new() { HasText = "System.InvalidOperationException" });
        await Assertions.Expect(error).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await error.ClickAsync();

        var dialog = page.Locator("#error-detail");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.Locator("pre")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"^System\.InvalidOperationException\n\s+at "));
        await Assertions.Expect(dialog.Locator("tbody tr").First).ToContainTextAsync("/flaky");
        await dialog.Locator(".resolve").ClickAsync();
        await Assertions.Expect(dialog.Locator(".summary")).ToContainTextAsync("resolved");
        await dialog.Locator(".close").ClickAsync();
        await Assertions.Expect(page.Locator("#errors tbody")).ToContainTextAsync("resolved", new() { Timeout = 10_000 });
        Assert.Empty(problems);
    }
}
