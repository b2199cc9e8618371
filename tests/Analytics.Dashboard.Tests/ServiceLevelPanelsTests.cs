using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Analytics.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The objectives and uptime panels, and Apdex on its card and in the routes table, against the sample's own objectives
/// (its appsettings.json) and health checks (one of them flapping). The page's calls to those APIs pass through the test,
/// which keeps each answer, so that a panel is checked against exactly what the page was given; fixed answers show the
/// empty states and every band.
/// </summary>
[Collection(SampleWithServiceLevels.Collection)]
public sealed class ServiceLevelPanelsTests(SampleWithServiceLevels sample, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Objectives count whole minutes: their traffic, sent when the sample started, is counted within a minute.</summary>
    private static readonly TimeSpan MinuteDeadline = TimeSpan.FromSeconds(75);
    private static readonly string[] BurnWindows = ["5m", "30m", "1h", "6h"];

    [Fact]
    public async Task TheObjectivesPanelShowsTheAttainmentBudgetAndBurnRatesTheApiGives()
    {
        // The fixture's order lookups, good for both objectives, and two failures of the flaky route, which spend some of
        // the availability objective's budget, once their minute has ended.
        await Wait.UntilAsync(
            async () => await GetJsonAsync("slos") is var slos
                && Objective(slos, "order-latency").GetProperty("total").GetInt64() >= SampleWithServiceLevels.OrderLookups
                && Objective(slos, "availability").GetProperty("total").GetInt64() - Objective(slos, "availability").GetProperty("good").GetInt64()
                    >= SampleWithServiceLevels.Failures,
            MinuteDeadline,
            "the objectives count the fixture's requests",
            TimeSpan.FromMilliseconds(500));

        var (context, page, problems) = await NewPageAsync();
        await using var owned = context;
        var slos = await PassThroughAsync(page, url => url.Contains("/api/slos", StringComparison.Ordinal));
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");

        await Assertions.Expect(page.Locator("#slos tbody tr[data-slo]")).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        using var answer = JsonDocument.Parse(slos.Latest!);
        Assert.Equal(
            answer.RootElement.EnumerateArray().Select(s => s.GetProperty("name").GetString()),
            await page.Locator("#slos tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.slo)")); // declaration order
        foreach (var objective in answer.RootElement.EnumerateArray())
        {
            await ExpectObjectiveAsync(page, objective);
        }

        // The availability objective lost two requests: attained below 100 %, some budget spent, a burn over 5 minutes.
        var availability = Objective(answer.RootElement, "availability");
        Assert.True(availability.GetProperty("attainment").GetDouble() < 1);
        Assert.True(availability.GetProperty("burnRates").GetProperty("5m").GetDouble() > 0);
        await Assertions.Expect(page.Locator("#slos tr[data-slo='order-latency'] td").First).ToContainTextAsync("GET /users/{userId}/orders/{orderId:int} within 300 ms");
        await ScreenshotAsync(page, "slos-panel", "#slos-panel");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task ApdexShowsOnItsCardAndInTheRoutesTableInItsBand()
    {
        // /slow against the default T of 500 ms: 10 ms satisfied, 700 ms tolerated (within 4T), 2 100 ms frustrated, so
        // (1 + 2 / 2) / 4 = 0.5, poor.
        await Task.WhenAll(new[] { 10, 700, 700, 2100 }.Select(async ms => (await sample.Client.GetAsync($"{sample.Origin}/slow?ms={ms}")).Dispose()));
        await Wait.UntilAsync(async () => SlowRoute(await GetJsonAsync("routes?range=1h&limit=50")) is { } slow && slow.GetProperty("count").GetInt64() >= 4,
            Deadline, "the sample records the slow requests");

        var (context, page, problems) = await NewPageAsync();
        await using var owned = context;
        var overview = await PassThroughAsync(page, url => url.Contains("/api/overview?", StringComparison.Ordinal));
        var routes = await PassThroughAsync(page, url => url.Contains("/api/routes?", StringComparison.Ordinal) && url.Contains("limit=50", StringComparison.Ordinal));
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");
        await Assertions.Expect(page.Locator("#card-requests")).Not.ToHaveTextAsync("–", new() { Timeout = 10_000 });

        using var overviewAnswer = JsonDocument.Parse(overview.Latest!);
        var apdex = overviewAnswer.RootElement.GetProperty("apdex").GetDouble();
        await ExpectApdexAsync(page.Locator("#card-apdex"), apdex, "value apdex");
        await Assertions.Expect(page.Locator("#card-apdex-band")).ToHaveTextAsync(Band(apdex));
        Assert.Contains("0.94", await page.Locator("#card-apdex").Locator("..").GetAttributeAsync("title") ?? "", StringComparison.Ordinal);

        using var routesAnswer = JsonDocument.Parse(routes.Latest!);
        var slow = SlowRoute(routesAnswer.RootElement)!.Value;
        Assert.Equal(0.5, slow.GetProperty("apdex").GetDouble(), 3);
        var slowRow = page.Locator("#routes tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "GET /slow", Exact = true }) });
        await ExpectApdexAsync(slowRow.Locator("td").Nth(6), 0.5, "num apdex");
        await Assertions.Expect(slowRow.Locator("td").Nth(6)).ToHaveClassAsync("num apdex poor");
        foreach (var route in routesAnswer.RootElement.EnumerateArray())
        {
            var row = page.Locator("#routes tbody tr").Filter(new()
            {
                Has = page.GetByRole(AriaRole.Button, new() { Name = $"{route.GetProperty("method").GetString()} {route.GetProperty("route").GetString()}", Exact = true }),
            });
            if (route.GetProperty("apdex").ValueKind == JsonValueKind.Number)
            {
                await ExpectApdexAsync(row.Locator("td").Nth(6), route.GetProperty("apdex").GetDouble(), "num apdex");
            }
            else
            {
                await Assertions.Expect(row.Locator("td").Nth(6)).ToHaveTextAsync("–");
            }
        }

        // Sorted by Apdex, worst first after a second click.
        await page.Locator("#routes th button[data-key='apdex']").ClickAsync();
        await page.Locator("#routes th button[data-key='apdex']").ClickAsync();
        await Assertions.Expect(page.Locator("#routes th:has(button[data-key='apdex'])")).ToHaveAttributeAsync("aria-sort", "ascending");
        await ScreenshotAsync(page, "apdex-routes", "section.panel:has(#routes)");
        await ScreenshotAsync(page, "apdex-card", ".cards");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task TheUptimePanelShowsEachCheckAndItsIncidentsAndFollowsTheLiveStream()
    {
        // The flapping check is down for 3 reports in every 6 (one a second): its first incident has opened and closed
        // about 7 s after the sample started.
        await Wait.UntilAsync(
            async () => Check(await GetJsonAsync("uptime?range=1h"), "inventory-service") is { } check
                && check.GetProperty("incidents").EnumerateArray().Any(i => i.GetProperty("end").ValueKind == JsonValueKind.String),
            Deadline,
            "the flapping check has had an incident that ended",
            TimeSpan.FromMilliseconds(200));

        var (context, page, problems) = await NewPageAsync(liveStream: true);
        await using var owned = context;
        var uptime = await PassThroughAsync(page, url => url.Contains("/api/uptime?", StringComparison.Ordinal));
        await page.GotoAsync($"{sample.Origin}/analytics/?range=1h");

        // The live stream's stats (every second here) reload the panels: a second answer, and the panel shows the newest.
        await Wait.UntilAsync(() => uptime.Count >= 2, Deadline, "the live stream's refresh asks for uptime again");
        string? mismatch = null;
        await Wait.UntilAsync(async () => (mismatch = await UptimeMismatchAsync(page, uptime.Latest!)) is null, Deadline, "the panel shows the newest answer");
        Assert.Null(mismatch);

        using var answer = JsonDocument.Parse(uptime.Latest!);
        var catalogue = Check(answer.RootElement, "catalogue")!.Value;
        Assert.Equal("healthy", catalogue.GetProperty("status").GetString());
        Assert.Equal(100, catalogue.GetProperty("uptimePercent").GetDouble());
        Assert.NotEmpty(Check(answer.RootElement, "inventory-service")!.Value.GetProperty("incidents").EnumerateArray());
        await Assertions.Expect(page.Locator("#uptime-incidents tbody tr[data-check='inventory-service'] .description").First)
            .ToHaveTextAsync("The inventory service did not answer.");
        await ScreenshotAsync(page, "uptime-panel", "#uptime-panel");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task EmptyPanelsNameWhatToSetAndTheBandsFollowTheBurnBudgetAndStatus()
    {
        var (context, page, problems) = await NewPageAsync();
        await using var owned = context;
        var slosAnswer = "[]";
        var uptimeAnswer = "[]";
        var asked = new ConcurrentQueue<string>();
        await page.RouteAsync(url => url.Contains("/api/slos", StringComparison.Ordinal) || url.Contains("/api/uptime", StringComparison.Ordinal), async route =>
        {
            asked.Enqueue(route.Request.Url);
            var body = route.Request.Url.Contains("/api/slos", StringComparison.Ordinal) ? Volatile.Read(ref slosAnswer) : Volatile.Read(ref uptimeAnswer);
            await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = body });
        });
        await page.GotoAsync($"{sample.Origin}/analytics/");

        await Assertions.Expect(page.Locator("#slos tbody")).ToContainTextAsync("declare them in RequestAnalytics:Slos", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#uptime-checks tbody")).ToContainTextAsync("register checks with AddHealthChecks()");
        await Assertions.Expect(page.Locator("#uptime-incidents tbody")).ToHaveTextAsync("No health checks, so no incidents");

        // Answers at every band, shown after a filter change, which asks both again with the instance.
        Volatile.Write(ref slosAnswer, """
            [
              { "name": "burning", "route": null, "method": null, "objective": 0.995, "latencyThreshold": null, "window": "30d", "good": 9937,
                "total": 10000, "attainment": 0.9937, "errorBudgetRemaining": -0.26, "burnRates": { "5m": 20, "30m": 7.5, "1h": 14.4, "6h": 5.99 } },
              { "name": "quiet", "route": "/items/{id:int}", "method": "GET", "objective": 0.999, "latencyThreshold": 250, "window": "7d", "good": 0,
                "total": 0, "attainment": null, "errorBudgetRemaining": null, "burnRates": { "5m": null, "30m": null, "1h": null, "6h": null } }
            ]
            """);
        Volatile.Write(ref uptimeAnswer, """
            [
              { "check": "db", "status": "unhealthy", "uptimePercent": 87.5, "lastChange": "2026-12-01T10:00:00Z",
                "incidents": [ { "instance": "web-9", "start": "2026-12-01T10:00:00Z", "end": null, "status": "unhealthy", "description": "timeout" } ] },
              { "check": "queue", "status": "degraded", "uptimePercent": 100, "lastChange": "2026-12-01T09:00:00Z", "incidents": [] }
            ]
            """);
        await page.Locator("#instance").FillAsync("web-9");
        await page.Locator("#instance").DispatchEventAsync("change");
        await Wait.UntilAsync(() => asked.Any(u => u.EndsWith("/api/slos?instance=web-9", StringComparison.Ordinal))
            && asked.Any(u => u.EndsWith("/api/uptime?range=24h&instance=web-9", StringComparison.Ordinal)), Deadline, "both are asked again for the instance");

        var burning = page.Locator("#slos tr[data-slo='burning'] td");
        await Assertions.Expect(burning).ToHaveTextAsync(["burningall requests", "99.5 %", "99.37 %", "\u221226 %", "20×", "7.5×", "14.4×", "5.99×", "30d"]);
        await Assertions.Expect(burning.Nth(2)).ToHaveClassAsync("num bad"); // below the objective
        await Assertions.Expect(burning.Nth(3)).ToHaveAttributeAsync("data-state", "bad"); // budget overspent: red
        await Assertions.Expect(burning.Nth(3).Locator(".fill")).ToHaveCSSAsync("width", "0px");
        string[] classes = ["num burn fast", "num burn slow", "num burn fast", "num"]; // 14.4 is the fast threshold itself; 5.99 is under 6
        for (var i = 0; i < classes.Length; i++)
        {
            await Assertions.Expect(burning.Nth(4 + i)).ToHaveClassAsync(classes[i]);
        }

        await Assertions.Expect(page.Locator("#slos tr[data-slo='quiet'] td"))
            .ToHaveTextAsync(["quietGET /items/{id:int} within 250 ms", "99.9 %", "–", "–", "–", "–", "–", "–", "7d"]);

        var db = page.Locator("#uptime-checks tr[data-check='db'] td");
        await Assertions.Expect(db.Nth(1)).ToHaveClassAsync("badge bad");
        await Assertions.Expect(db.Nth(2)).ToHaveTextAsync("87.5 %");
        await Assertions.Expect(db.Nth(4)).ToHaveTextAsync("1 (1 ongoing)");
        await Assertions.Expect(page.Locator("#uptime-checks tr[data-check='queue'] td").Nth(1)).ToHaveClassAsync("badge warn");
        var incident = page.Locator("#uptime-incidents tr[data-check='db'] td");
        await Assertions.Expect(incident.Nth(1)).ToHaveTextAsync("web-9");
        await Assertions.Expect(incident.Nth(3)).ToHaveTextAsync("ongoing");
        await Assertions.Expect(incident.Nth(0).Locator(".description")).ToHaveTextAsync("timeout");
        Assert.Empty(problems);
    }

    /// <summary>One row of the objectives table against one objective of the answer.</summary>
    private static async Task ExpectObjectiveAsync(IPage page, JsonElement objective)
    {
        var name = objective.GetProperty("name").GetString()!;
        var cells = page.Locator($"#slos tr[data-slo='{name}'] td");
        var texts = await cells.AllTextContentsAsync();
        Assert.Equal(9, texts.Count);
        Assert.StartsWith(name, texts[0], StringComparison.Ordinal);
        var target = objective.GetProperty("objective").GetDouble();
        Assert.Equal((target * 100).ToString("0.####", CultureInfo.InvariantCulture) + " %", texts[1]);

        // Attained: rounded down, with at least two decimals.
        if (Number(objective, "attainment") is { } attainment)
        {
            var shown = Percent(texts[2]);
            var decimals = texts[2].Length - texts[2].IndexOf('.', StringComparison.Ordinal) - " %".Length - 1;
            Assert.True(decimals >= 2, texts[2]);
            Assert.InRange((attainment * 100) - shown, -1e-9, Math.Pow(10, -decimals));
        }
        else
        {
            Assert.Equal("–", texts[2]);
        }

        // Budget left: whole percent toward zero, red when overspent.
        if (Number(objective, "errorBudgetRemaining") is { } left)
        {
            var percent = Math.Abs(Math.Truncate(left * 100)).ToString("#,0", CultureInfo.InvariantCulture);
            Assert.Equal($"{(left < 0 ? "\u2212" : "")}{percent} %", texts[3]);
            Assert.Equal(left < 0 ? "bad" : left < 0.25 ? "warn" : "ok", await cells.Nth(3).GetAttributeAsync("data-state"));
        }
        else
        {
            Assert.Equal("–", texts[3]);
        }

        // Burn rates: three significant digits; 14.4 and above fast, 6 and above slow.
        for (var i = 0; i < BurnWindows.Length; i++)
        {
            var text = texts[4 + i];
            var className = await cells.Nth(4 + i).GetAttributeAsync("class");
            if (Number(objective.GetProperty("burnRates"), BurnWindows[i]) is not { } rate)
            {
                Assert.Equal("–", text);
                continue;
            }

            Assert.EndsWith("×", text, StringComparison.Ordinal);
            var shown = double.Parse(text.TrimEnd('×').Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            Assert.InRange(shown, rate - (rate * 0.006) - (rate >= 100 ? 0.5 : 0), rate + (rate * 0.006) + (rate >= 100 ? 0.5 : 0));
            Assert.Equal(rate >= 14.4 ? "num burn fast" : rate >= 6 ? "num burn slow" : "num", className);
        }

        Assert.Equal(objective.GetProperty("window").GetString(), texts[8]);
    }

    /// <summary>Why the uptime panel does not show the answer, or <see langword="null"/> when it does.</summary>
    private static async Task<string?> UptimeMismatchAsync(IPage page, string json)
    {
        using var answer = JsonDocument.Parse(json);
        var checks = answer.RootElement.EnumerateArray().ToList();
        var rows = await page.Locator("#uptime-checks tbody tr[data-check]").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.check, ...[...r.cells].map(c => c.textContent), r.cells[3].dataset.time || ''])");
        if (rows.Length != checks.Count)
        {
            return $"{rows.Length} checks shown, {checks.Count} answered";
        }

        var incidents = new List<(string Check, JsonElement Incident)>();
        for (var i = 0; i < checks.Count; i++)
        {
            var check = checks[i];
            var name = check.GetProperty("check").GetString()!;
            var open = check.GetProperty("incidents").EnumerateArray().Count(x => x.GetProperty("end").ValueKind == JsonValueKind.Null);
            var count = check.GetProperty("incidents").GetArrayLength();
            var uptime = Number(check, "uptimePercent");
            string?[] expected =
            [
                name, name, check.GetProperty("status").GetString(),
                uptime is { } u ? (Math.Floor((u * 100) + 1e-6) / 100).ToString("#,0.##", CultureInfo.InvariantCulture) + " %" : "–",
                null, // the local time, checked by its data-time
                $"{count}{(open > 0 ? $" ({open} ongoing)" : "")}",
                check.GetProperty("lastChange").ValueKind == JsonValueKind.String ? check.GetProperty("lastChange").GetString() : "",
            ];
            for (var k = 0; k < expected.Length; k++)
            {
                if (expected[k] is not null && expected[k] != rows[i][k])
                {
                    return $"check {name}, field {k}: shown '{rows[i][k]}', answered '{expected[k]}'";
                }
            }

            incidents.AddRange(check.GetProperty("incidents").EnumerateArray().Select(x => (name, x)));
        }

        // Incidents, newest first over every check, at most 20.
        var newest = incidents.OrderByDescending(x => DateTimeOffset.Parse(x.Incident.GetProperty("start").GetString()!, CultureInfo.InvariantCulture)).Take(20).ToList();
        var shown = await page.Locator("#uptime-incidents tbody tr[data-check]").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.check, r.dataset.start, r.dataset.end, r.cells[1].textContent, r.cells[3].textContent])");
        if (shown.Length != newest.Count)
        {
            return $"{shown.Length} incidents shown, {newest.Count} expected";
        }

        for (var i = 0; i < newest.Count; i++)
        {
            var (check, incident) = newest[i];
            var end = incident.GetProperty("end").ValueKind == JsonValueKind.String ? incident.GetProperty("end").GetString()! : "";
            string[] expected = [check, incident.GetProperty("start").GetString()!, end, incident.GetProperty("instance").GetString()!];
            if (!shown[i][..4].SequenceEqual(expected) || (end.Length == 0) != (shown[i][4] == "ongoing"))
            {
                return $"incident {i}: shown [{string.Join(", ", shown[i])}], answered [{string.Join(", ", expected)}]";
            }
        }

        return null;
    }

    private static async Task ExpectApdexAsync(ILocator element, double apdex, string classes)
    {
        await Assertions.Expect(element).ToHaveTextAsync(apdex.ToString("0.00", CultureInfo.InvariantCulture));
        await Assertions.Expect(element).ToHaveClassAsync($"{classes} {Band(apdex)}");
    }

    private static string Band(double apdex) => apdex >= 0.94 ? "good" : apdex >= 0.85 ? "fair" : "poor";

    private static double Percent(string text) =>
        double.Parse(text.Replace(" %", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    private static double? Number(JsonElement element, string property) =>
        element.GetProperty(property) is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;

    private static JsonElement Objective(JsonElement slos, string name) =>
        slos.EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    private static JsonElement? Check(JsonElement checks, string name) =>
        checks.EnumerateArray().Where(c => c.GetProperty("check").GetString() == name).Select(c => (JsonElement?)c).FirstOrDefault();

    private static JsonElement? SlowRoute(JsonElement routes) =>
        routes.EnumerateArray().Where(r => r.GetProperty("route").GetString() == "/slow").Select(r => (JsonElement?)r).FirstOrDefault();

    private async Task<JsonElement> GetJsonAsync(string pathAndQuery)
    {
        using var document = JsonDocument.Parse(await sample.Client.GetStringAsync($"{sample.Origin}/analytics/api/{pathAndQuery}"));
        return document.RootElement.Clone();
    }

    /// <summary>
    /// A page in a fresh desktop-sized context (English number formats), watched for console errors. Without the live
    /// stream unless asked: its stats reload the view every 2 s, which would replace an answer while it is checked.
    /// </summary>
    private async Task<(IBrowserContext Context, IPage Page, ConcurrentQueue<string> Problems)> NewPageAsync(bool liveStream = false)
    {
        var context = await sample.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1200 }, Locale = "en-US" });
        var page = await context.NewPageAsync();
        if (!liveStream)
        {
            await page.RouteAsync("**/api/stream", route => route.FulfillAsync(new() { Status = 204 }));
        }

        return (context, page, PageProblems.Watch(page));
    }

    /// <summary>Lets the page's matching calls through to the sample, keeping each answer the page is given.</summary>
    private static async Task<Answers> PassThroughAsync(IPage page, Func<string, bool> url)
    {
        var answers = new Answers();
        await page.RouteAsync(url, async route =>
        {
            var response = await route.FetchAsync();
            var body = await response.TextAsync();
            answers.Add(body);
            await route.FulfillAsync(new() { Response = response, Body = body });
        });
        return answers;
    }

    private async Task ScreenshotAsync(IPage page, string name, string selector)
    {
        var path = Path.Combine(SampleWithBrowser.Screenshots, $"{name}.png");
        await page.Locator(selector).ScreenshotAsync(new() { Path = path });
        output.WriteLine($"screenshot: {path}");
    }

    /// <summary>The answers a page was given for one API, the newest kept.</summary>
    private sealed class Answers
    {
        private string? _latest;
        private int _count;

        public string? Latest => Volatile.Read(ref _latest);

        public int Count => Volatile.Read(ref _count);

        public void Add(string body)
        {
            Volatile.Write(ref _latest, body);
            Interlocked.Increment(ref _count);
        }
    }
}
