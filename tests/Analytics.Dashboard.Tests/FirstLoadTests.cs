using System.Globalization;
using System.Text.Json;
using Analytics.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The dashboard's first load as the browser times it: the page, its assets and the first call of every panel, from
/// navigation start to the last response, in a fresh browser profile (nothing cached) and again with the assets cached.
/// On the suite's small database it checks that every first call answers 200 and the cards fill; on the 30-day,
/// 10-million-request database of the performance issue (<c>benchmarks/dashboard-first-load.sh</c> passes it in
/// <c>ANALYTICS_FIRST_LOAD_DATABASE</c>) the printed timings are the figure in benchmarks/README.md.
/// </summary>
public sealed class FirstLoadTests(ITestOutputHelper output)
{
    private const string DatabaseVariable = "ANALYTICS_FIRST_LOAD_DATABASE";

    /// <summary>The calls the page makes first, one per panel, each preloaded by the page's head (DashboardPreload).</summary>
    private const int FirstCalls = 16;

    /// <summary>The page's resource timings of its API calls, the live stream left out (it never ends).</summary>
    private const string ApiEntries = "performance.getEntriesByType('resource').filter(e => e.name.includes('/api/') && !e.name.includes('/api/stream'))";

    [Fact]
    public async Task TheFirstLoadFetchesThePageItsAssetsAndEveryPanelsDataAndSaysHowLongItTook()
    {
        Assert.True(File.Exists(SampleWithBrowser.Chromium), $"{SampleWithBrowser.Chromium} is missing (Debian package chromium): run ./test.sh, which installs it.");
        using var directory = new TempDirectory();
        var database = directory.File("first-load.db");
        var given = Environment.GetEnvironmentVariable(DatabaseVariable);
        if (!string.IsNullOrEmpty(given))
        {
            File.Copy(given, database); // the sample writes its own requests into it; the generated file stays as built
        }

        // Retention longer than the generated history, so no purge pass competes with the page for the file.
        var (sample, origin) = await TestProcess.StartSampleAsync(
            "--no-demo-traffic",
            "--Sample:Database", database,
            "--Logging:LogLevel:Default", "Warning",
            "--RequestAnalytics:Retention:Raw", "60.00:00:00",
            "--RequestAnalytics:Retention:Minute", "60.00:00:00");
        await using var owned = sample;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        if (string.IsNullOrEmpty(given))
        {
            for (var i = 1; i <= 20; i++)
            {
                (await client.GetAsync($"{origin}/items/{i}")).Dispose();
            }
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = SampleWithBrowser.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });

        // The first navigations warm the sample's JIT and SQLite page cache: the very first is what the first visitor
        // after a start sees, and is printed; a process that has just started is still compiling its code in the
        // background (tier-up after 30 calls of a method), which on two cores takes CPU from every request for some
        // seconds. Then fifteen loads each in a new profile (nothing cached), whose median is the figure, then one with the
        // browser's cache. When measuring, each of those loads starts on a quiet machine, as a visitor's would: the page
        // is opened, then the test waits until the processors are idle (the previous profile's processes have exited),
        // then navigates. In the suite, where other test assemblies share the processors, it does not wait.
        var measuring = !string.IsNullOrEmpty(given);
        var warmUpLoads = measuring ? 40 : 10;
        const int FreshLoads = 15;
        var timings = new List<string>();
        var fresh = new List<double>();
        for (var load = 0; load < warmUpLoads + FreshLoads + 1; load++)
        {
            var timed = load >= warmUpLoads;
            var isFresh = timed && load < warmUpLoads + FreshLoads;
            var pageContext = isFresh ? await browser.NewContextAsync() : context;
            var page = await pageContext.NewPageAsync();
            var quiet = measuring && timed ? await QuietMachine.WaitAsync(0.9, TimeSpan.FromSeconds(5)) : TimeSpan.Zero;
            // The harness only reads the page's own resource timings: a Playwright event per request would be a message to
            // this process while the page loads, on the same two cores.
            await page.GotoAsync($"{origin}/analytics/");
            await page.WaitForFunctionAsync(
                $"() => {ApiEntries}.length >= {FirstCalls}",
                null,
                new() { PollingInterval = 50, Timeout = 30_000 });
            var statuses = await page.EvaluateAsync<string[]>(
                $"() => {ApiEntries}.map(e => e.responseStatus + ' ' + e.name)");
            Assert.All(statuses, status => Assert.StartsWith("200 ", status, StringComparison.Ordinal));
            await Assertions.Expect(page.Locator("#card-requests")).Not.ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(|–|-|…)$"), new() { Timeout = 30_000 });

            using var entries = JsonDocument.Parse(await page.EvaluateAsync<string>("""
                JSON.stringify({
                  html: performance.getEntriesByType('navigation')[0].responseEnd,
                  interactive: performance.getEntriesByType('navigation')[0].domInteractive,
                  scripts: performance.getEntriesByType('navigation')[0].domContentLoadedEventStart,
                  resources: performance.getEntriesByType('resource')
                    .filter(e => !e.name.includes('/api/stream'))
                    .map(e => ({ name: e.name, start: e.startTime, first: e.responseStart, end: e.responseEnd, cached: e.transferSize === 0 }))
                })
                """));
            var resources = entries.RootElement.GetProperty("resources").EnumerateArray().ToList();
            var complete = resources.Max(r => r.GetProperty("end").GetDouble());
            var label = !timed ? $"warm-up {load + 1}{(load == 0 ? " (the first visitor after start)" : "")}" : isFresh ? $"fresh profile {load - warmUpLoads + 1}, nothing cached" : "assets cached";
            if (isFresh)
            {
                fresh.Add(complete);
            }

            timings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{label}: page {entries.RootElement.GetProperty("html").GetDouble():0.0} ms, parsed {entries.RootElement.GetProperty("interactive").GetDouble():0.0} ms, scripts run {entries.RootElement.GetProperty("scripts").GetDouble():0.0} ms, everything {complete:0.0} ms, {resources.Count} resources ({resources.Count(r => r.GetProperty("cached").GetBoolean())} from cache), {statuses.Length} API calls{(!measuring || !timed ? "" : quiet is { } waited ? $", after {waited.TotalMilliseconds:0} ms waiting for a quiet machine" : ", the machine never became quiet (5 s)")}"));
            foreach (var resource in resources)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  started {resource.GetProperty("start").GetDouble(),6:0.0} ms, first byte {resource.GetProperty("first").GetDouble(),6:0.0} ms, done {resource.GetProperty("end").GetDouble(),6:0.0} ms  {resource.GetProperty("name").GetString()}"));
            }

            await page.CloseAsync();
            if (isFresh)
            {
                await pageContext.DisposeAsync();
            }
        }

        using var overview = JsonDocument.Parse(await client.GetStringAsync($"{origin}/analytics/api/overview?range=30d"));
        output.WriteLine($"database: {(string.IsNullOrEmpty(given) ? "the test's own 20 requests" : given)}, {overview.RootElement.GetProperty("totalRequests").GetInt64():N0} requests in the last 30 days");
        timings.ForEach(output.WriteLine);
        fresh.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first load, nothing cached: median {fresh[FreshLoads / 2]:0.0} ms, best {fresh[0]:0.0} ms, worst {fresh[^1]:0.0} ms over {FreshLoads} loads"));
    }
}
