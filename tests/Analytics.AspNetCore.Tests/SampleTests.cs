using Analytics.Testing;

namespace Analytics.AspNetCore.Tests;

/// <summary>The README's main command: the sample starts, says where it listens and where its database is, and its traffic generator fills it.</summary>
public class SampleTests
{
    [Fact]
    public async Task TheSampleStartsPrintsItsDatabaseAndRecordsItsOwnDemoTraffic()
    {
        using var directory = new TempDirectory();
        var database = directory.File("sample.db");
        var (process, _) = await TestProcess.StartSampleAsync("--Sample:Database", database);
        await using var owned = process;
        await process.WaitForLineAsync(l => l.Contains("Request analytics database:"), TimeSpan.FromSeconds(60), "the sample prints its banner");
        Assert.Contains(process.Output, l => l.Contains($"Request analytics database: {database}"));
        Assert.Contains(process.Output, l => l.Contains("Dashboard: http://127.0.0.1:", StringComparison.Ordinal) && l.EndsWith("/analytics/", StringComparison.Ordinal));

        await Wait.UntilAsync(() => SampleProbe.CountRequests(database) >= 20, TimeSpan.FromSeconds(60), "the demo traffic is recorded");

        // The printed API address answers with the traffic the generator made.
        var api = await process.WaitForLineAsync(l => l.Contains("Analytics API: "), TimeSpan.FromSeconds(5), "the sample prints its API address");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var overview = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(api.Split("Analytics API: ")[1].Split(' ')[0]));
        Assert.True(overview.RootElement.GetProperty("totalRequests").GetInt64() > 0, overview.RootElement.ToString());

        // The printed metrics address is valid Prometheus text, as Prometheus's own checker reads it.
        var metricsLine = await process.WaitForLineAsync(l => l.Contains("Prometheus metrics: "), TimeSpan.FromSeconds(5), "the sample prints its metrics address");
        var metrics = await client.GetStringAsync(metricsLine.Split("Prometheus metrics: ")[1].Trim());
        Assert.Contains("analytics_http_request_duration_seconds_bucket{", metrics);
        var exposition = directory.File("metrics.txt");
        await File.WriteAllTextAsync(exposition, metrics);
        var promtool = TestProcess.RequiredTool("promtool", "Debian package prometheus");
        await TestProcess.RunAsync(directory.Path, TimeSpan.FromSeconds(60), "bash", "-c", $"'{promtool}' check metrics < '{exposition}'"); // it reads stdin only; lint problems exit non-zero
    }

    /// <summary>
    /// The demo fills the custom-events panel both ways a real app would: in-process through <c>IAnalyticsTracker</c>
    /// (deployments, builds, sign-ups, job runs, by the sample's DemoEventGenerator) and over HTTP from "another service"
    /// (payments posted to <c>POST /analytics/api/events</c> with its ingest key, by DemoEventFeeder), whose deliberately
    /// invalid batch is answered 400 and logged at Debug as expected, and whose valid batches are never refused.
    /// </summary>
    [Fact]
    public async Task TheDemoTracksEventsInProcessAndPostsOthersOverHttpWhereItsInvalidBatchIsAnswered400()
    {
        using var directory = new TempDirectory();
        var database = directory.File("sample.db");
        var (process, origin) = await TestProcess.StartSampleAsync(
            "--Sample:Database", database,
            "--RequestAnalytics:FlushInterval", "00:00:00.200",
            "--Logging:LogLevel:Analytics.Sample", "Debug");
        await using var owned = process;

        // Only the feeder posts "payment", with its service in the properties; the tracker's events have other names.
        string[] tracked = ["signup", "job.run", "build", "deployment"];
        await Wait.UntilAsync(
            () => SampleProbe.EventNames(database).IsSupersetOf(tracked),
            TimeSpan.FromSeconds(20),
            $"every kind of in-process event ({string.Join(", ", tracked)}) is tracked");
        await Wait.UntilAsync(
            () => SampleProbe.CountEvents(database, "name = 'payment' AND properties LIKE '%\"service\":\"billing-service\"%'") > 0,
            TimeSpan.FromSeconds(10),
            "the feeder's payments posted over HTTP are stored");
        var rejected = await process.WaitForLineAsync(
            l => l.Contains("invalid batch of", StringComparison.Ordinal) && l.Contains("answered 400, as expected", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the feeder's invalid batch is answered 400");
        Assert.DoesNotContain(process.Output, l => l.Contains("demo feeder's post was answered", StringComparison.Ordinal));

        // Nothing of a rejected batch is stored: it holds good payments too, but no event has an empty name.
        Assert.Equal(0, SampleProbe.CountEvents(database, "name = ''"));

        // The events API tells them apart and carries what makes "success rate and p95 duration" answerable.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var events = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync($"{origin}/analytics/api/events?range=15m"));
        var byName = events.RootElement.GetProperty("events").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        foreach (var name in new[] { "payment", "job.run", "build", "deployment" })
        {
            Assert.True(byName.TryGetValue(name, out var series), $"no '{name}' in {events.RootElement}");
            var outcomes = series.GetProperty("successes").GetInt64() + series.GetProperty("failures").GetInt64();
            Assert.Equal(series.GetProperty("count").GetInt64(), outcomes); // every one says whether it succeeded
            Assert.True(series.GetProperty("p95").GetDouble() > 0, $"'{name}' has no durations: {series}");
        }

        Assert.True(byName.ContainsKey("signup"), events.RootElement.ToString());
        Assert.Contains("].name", rejected, StringComparison.Ordinal); // the problem names the bad item, such as [1].name
    }

    /// <summary>
    /// A real EventSource client (the npm eventsource package under Node) against the sample on 127.0.0.1: connected, a
    /// request event for a request made after connecting, stats on schedule, ping, Last-Event-ID replay of only what was
    /// missed, and 503 past the subscriber cap. The scenario is tests/node-clients/scenario.mjs.
    /// </summary>
    [Fact]
    public async Task ARealEventSourceClientGetsTheLiveStreamOfTheSample()
    {
        var client = Path.Combine(TestProcess.RepositoryRoot(), "tests", "node-clients");
        Assert.True(
            Directory.Exists(Path.Combine(client, "node_modules", "eventsource")),
            $"the eventsource package is not installed in {client}: run ./test.sh, which installs it (npm ci).");

        using var directory = new TempDirectory();
        var (process, origin) = await TestProcess.StartSampleAsync(
            "--no-demo-traffic",
            "--Sample:Database", directory.File("sample.db"),
            "--RequestAnalytics:StatsInterval", "00:00:01",
            "--RequestAnalytics:StreamPingInterval", "00:00:01",
            "--RequestAnalytics:MaxStreamSubscribers", "3");
        await using var owned = process;

        await TestProcess.RunAsync(client, TimeSpan.FromSeconds(90), TestProcess.RequiredTool("node", "Debian package nodejs"), "scenario.mjs", origin, "3");
    }
}
