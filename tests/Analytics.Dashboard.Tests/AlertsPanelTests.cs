using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The sample with alerts evaluated every second and webhooks allowed to reach 127.0.0.1, so that a rule can fire
/// and a subscription can be delivered to within a test.
/// </summary>
public sealed class SampleWithAlerts : SampleWithBrowser
{
    protected override IEnumerable<string> Arguments =>
    [
        "--RequestAnalytics:AlertInterval", "00:00:01",
        "--RequestAnalytics:Webhooks:AllowPrivateNetworks", "true",
    ];
}

/// <summary>The alerts panel: rules and their state, the latest changes, webhook subscriptions and their last delivery.</summary>
public sealed class AlertsPanelTests(SampleWithAlerts sample) : IClassFixture<SampleWithAlerts>
{
    private static readonly Encoding Utf8 = new UTF8Encoding(false);

    private async Task<JsonElement> PostAsync(string path, string json)
    {
        using var response = await sample.Client.PostAsync($"{sample.Origin}/analytics/api/{path}", new StringContent(json, Utf8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Subscribes the sample's GET-only <c>/ping</c> (it answers a POST with 405) to one event type; returns the id.</summary>
    private async Task<string> SubscribePingAsync(string eventType) =>
        (await PostAsync("webhooks", $$"""{"url":"{{sample.Origin}}/ping","eventTypes":["{{eventType}}"]}""")).GetProperty("id").GetString()!;

    /// <summary>A page in a fresh desktop-sized context, watched for console errors; dispose the context.</summary>
    private async Task<(IBrowserContext Context, IPage Page, System.Collections.Concurrent.ConcurrentQueue<string> Problems)> NewPageAsync()
    {
        var context = await sample.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        return (context, page, PageProblems.Watch(page));
    }

    [Fact]
    public async Task ARuleThatStartsFiringShowsSoWithoutAReloadAndAWebhookShowsItsLastDelivery()
    {
        // A rule that fires on any traffic to a route only this test calls, in the last whole minute, and a subscription
        // whose receiver refuses the method (the sample's GET-only /ping answers a POST with 405), so its last delivery
        // is a failure to show.
        var rule = await PostAsync("alerts", """{"name":"Any traffic","metric":"requestCount","route":"/items/{id:int}","window":"1m","operator":">","threshold":0}""");
        var ruleId = rule.GetProperty("id").GetString()!;
        var subscriptionId = await SubscribePingAsync("alert.triggered");

        var (context, page, problems) = await NewPageAsync();
        await using var owned = context;
        var alertCalls = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/alerts", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref alertCalls);
            }
        };
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");
        await Assertions.Expect(page.Locator("#connection")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("live"), new() { Timeout = 10_000 });
        Assert.Equal(0, Volatile.Read(ref alertCalls)); // below the fold: not part of the first load

        var panel = page.Locator("#alerts-panel");
        await panel.ScrollIntoViewIfNeededAsync();
        var row = page.Locator($"#alert-rules tr[data-rule='{ruleId}']");
        await Assertions.Expect(row).ToContainTextAsync("requests > 0 over 1m on /items/{id:int}", new() { Timeout = 10_000 });
        await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("ok");
        await Assertions.Expect(page.Locator("#alert-rules tr[data-rule='errors']")).ToContainTextAsync("error rate > 5 % over 5m"); // declared in the sample's appsettings.json
        await Assertions.Expect(page.Locator("#alert-history")).ToContainTextAsync("No rule has fired yet");

        // Traffic now; the rule measures whole minutes, so it fires once this minute has ended (within about 61 s).
        for (var i = 0; i < 3; i++)
        {
            (await sample.Client.GetAsync($"{sample.Origin}/items/{i + 1}")).Dispose();
        }

        await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("firing", new() { Timeout = 90_000 });
        await Assertions.Expect(row.Locator("td").Nth(3)).Not.ToHaveTextAsync("–");
        await Assertions.Expect(page.Locator("#alerts-note")).ToContainTextAsync("firing");
        await Assertions.Expect(page.Locator("#alert-history")).ToContainTextAsync("triggered Any traffic: ");

        // The alert was sent to the subscription, which answered 405: the panel shows that attempt.
        var webhook = page.Locator($"#webhooks tr[data-subscription='{subscriptionId}']");
        await Assertions.Expect(webhook).ToContainTextAsync($"{sample.Origin}/ping");
        await Assertions.Expect(webhook.Locator(".webhook-format")).ToHaveTextAsync("Standard Webhooks, signed"); // the API's default format
        await Assertions.Expect(webhook.Locator("td").Nth(2)).ToHaveTextAsync("enabled");
        await Assertions.Expect(webhook.Locator("td").Nth(3)).ToContainTextAsync("alert.triggered · HTTP 405", new() { Timeout = 30_000 });
        await Assertions.Expect(webhook.Locator("td").Nth(3)).ToHaveClassAsync("badge bad");
        await page.ScreenshotAsync(new() { Path = Path.Combine(SampleWithBrowser.Screenshots, "alerts-panel.png"), FullPage = false });

        Assert.Empty(problems);
    }

    [Fact]
    public async Task SendTestQueuesAWebhookTestMessageAndThePanelShowsItsAttempt()
    {
        // Subscribed to an event this test never causes, so the only message is the test one.
        var id = await SubscribePingAsync("alert.resolved");
        var goneId = await SubscribePingAsync("alert.resolved");

        var (context, page, problems) = await NewPageAsync();
        await using var owned = context;
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");
        await page.Locator("#alerts-panel").ScrollIntoViewIfNeededAsync();
        var row = page.Locator($"#webhooks tr[data-subscription='{id}']");
        await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("nothing sent yet", new() { Timeout = 10_000 });

        await row.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Assertions.Expect(row.Locator("td").Nth(3)).ToContainTextAsync("webhook.test · HTTP 405", new() { Timeout = 20_000 });
        Assert.Empty(problems);

        // A subscription deleted since the panel was drawn: the 404 is said in the panel, and the button can be tried again.
        using (var deleted = await sample.Client.DeleteAsync($"{sample.Origin}/analytics/api/webhooks/{goneId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var goneButton = page.Locator($"#webhooks tr[data-subscription='{goneId}']").GetByRole(AriaRole.Button, new() { Name = "Send test" });
        await goneButton.ClickAsync();
        await Assertions.Expect(page.Locator("#alerts-panel .problem")).ToHaveTextAsync($"Could not send a test message to {goneId}: There is no webhook subscription '{goneId}'.", new() { Timeout = 10_000 });
        await Assertions.Expect(goneButton).ToBeEnabledAsync();
        Assert.All(problems, p => Assert.Contains("404", p, StringComparison.Ordinal)); // chromium logs the failed fetch itself, and nothing else
    }

    [Fact]
    public async Task AnAlertsApiThatFailsShowsAProblemInThePanelNotABrokenPage()
    {
        var (context, page, problems) = await NewPageAsync();
        await using var owned = context;
        await page.RouteAsync("**/api/alerts/history*", route => route.FulfillAsync(new()
        {
            Status = (int)HttpStatusCode.InternalServerError,
            ContentType = "application/problem+json",
            Body = """{"title":"The store could not be read."}""",
        }));
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");
        await page.Locator("#alerts-panel").ScrollIntoViewIfNeededAsync();

        await Assertions.Expect(page.Locator("#alerts-panel .problem")).ToHaveTextAsync("Could not load the alerts: The store could not be read.", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#card-requests")).Not.ToHaveTextAsync("–"); // the rest of the page is unaffected
        Assert.All(problems, p => Assert.Contains("500", p, StringComparison.Ordinal)); // chromium logs the failed fetch itself, and nothing else
    }
}
