using System.Net;
using System.Text.Json;
using Analytics.Testing;
using Microsoft.Playwright;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The "Access and limits" panel against the sample's own policies: 401 and 403 under the authorization policy of the
/// endpoint that refused, 429 under its rate-limiting policy, and the routes that never had a request.
/// </summary>
[Collection(SampleWithServiceLevels.Collection)]
public sealed class AccessPanelTests(SampleWithServiceLevels sample)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RefusalsShowUnderThePolicyThatMadeThemAndNeverHitRoutesAreListed()
    {
        // Known refusals: 3 anonymous (401) and 2 signed-in without the role (403) on the admin-only report, one
        // allowed; searches until the limiter has refused at least twice, counting what it answered.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync("/admin/reports"));
        }

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync("/admin/reports", user: "ann"));
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/admin/reports", user: "root", role: "admin"));
        var tooMany = 0;
        for (var i = 0; i < 40 && tooMany < 2; i++)
        {
            tooMany += await StatusAsync($"/search?q={i}") == HttpStatusCode.TooManyRequests ? 1 : 0;
        }

        Assert.Equal(2, tooMany);
        await Wait.UntilAsync(
            async () => await CountAsync("status=401") == 3 && await CountAsync("status=403") == 2 && await CountAsync("status=429") == 2,
            Deadline,
            "the sample records the refusals");

        await using var context = await sample.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1200 } });
        var page = await context.NewPageAsync();
        var problems = PageProblems.Watch(page);
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");

        var admin = page.Locator("#access-authorization tbody tr[data-policy='admin']");
        await Assertions.Expect(admin.Locator("td")).ToHaveTextAsync(["admin", "3", "2", "2 endpoints"], new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#access-authorization tbody tr[data-policy='(default)'] td"))
            .ToHaveTextAsync(["(default)", "0", "0", "GET /account"]);
        await Assertions.Expect(page.Locator("#access-rate-limiting tbody tr[data-policy='search'] td"))
            .ToHaveTextAsync(["search", "2", "GET /search"]);

        // Hit routes leave the list; the ones nobody called stay, by the route the rest of the dashboard names.
        var neverHit = page.Locator("#never-hit li");
        await Assertions.Expect(neverHit.Filter(new() { HasText = "GET /legacy/export" })).ToHaveCountAsync(1);
        await Assertions.Expect(neverHit.Filter(new() { HasText = "GET /account" })).ToHaveCountAsync(1);
        var listed = await neverHit.AllTextContentsAsync();
        Assert.DoesNotContain("GET /admin/reports", listed);
        Assert.DoesNotContain("GET /search", listed);
        Assert.DoesNotContain("GET /health", listed); // under ExcludePaths: never recorded, so never "never hit"
        await Assertions.Expect(page.Locator("#never-hit li.muted")).ToHaveTextAsync("1 not recorded (ExcludePaths) and not listed");

        await page.Locator("#access-panel").ScreenshotAsync(new() { Path = Path.Combine(SampleWithBrowser.Screenshots, "access-panel.png") });
        Assert.Empty(problems);
    }

    private async Task<HttpStatusCode> StatusAsync(string path, string? user = null, string? role = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, sample.Origin + path);
        if (user is not null)
        {
            request.Headers.Add("X-Demo-User", user);
        }

        if (role is not null)
        {
            request.Headers.Add("X-Demo-Role", role);
        }

        using var response = await sample.Client.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<long> CountAsync(string filter)
    {
        using var routes = JsonDocument.Parse(await sample.Client.GetStringAsync($"{sample.Origin}/analytics/api/routes?range=1h&{filter}"));
        return routes.RootElement.EnumerateArray().Sum(r => r.GetProperty("count").GetInt64());
    }
}
