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
