using System.Globalization;
using System.Text.Json;
using Analytics.Pipeline;
using Analytics.Storage.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.AspNetCore.Tests.Endpoints.Consumers;

/// <summary>
/// The acceptance test of issue 24 (consumers, releases, comparison) over real HTTP and a real store: known traffic from
/// three consumers across two releases, put through the pipeline as the middleware would record it, gives exact counts
/// and p95 within 1 % of exact per consumer and per release, through the API and <see cref="IAnalyticsQueries"/> alike;
/// <c>(other)</c> appears exactly when a bucket's consumers exceed the cap; the comparisons give the prior window's exact
/// counts. Each store runs it through a subclass.
/// </summary>
public abstract class ConsumersAcceptanceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly string LastHour = $"from={Time(Now.AddHours(-1))}&to={Time(Now)}";

    /// <summary>Puts the store under test in place of the host's default.</summary>
    protected abstract void UseStore(WebApplicationBuilder builder);

    [Fact]
    public async Task ThreeConsumersAcrossTwoReleasesAreCountedExactlyThroughTheApiAndTheQueries()
    {
        var traffic = Traffic();
        await using var host = await StartAsync(traffic);
        var queries = host.App.Services.GetRequiredService<IAnalyticsQueries>();
        var hour = new AnalyticsQuery { From = Now.AddHours(-1), To = Now };
        var inHour = traffic.Where(r => r.Timestamp >= hour.From).ToList();

        var api = (await host.GetJsonAsync($"/analytics/api/consumers?{LastHour}")).EnumerateArray().ToList();
        var answered = await queries.GetConsumersAsync(hour);

        Assert.Equal(["alpha", "beta", "gamma"], api.Select(c => c.GetProperty("consumer").GetString()));
        Assert.Equal(["alpha", "beta", "gamma"], answered.Select(c => c.Consumer));
        var lastSeen = new Dictionary<string, DateTimeOffset>
        {
            ["alpha"] = Now.AddMinutes(-13), ["beta"] = Now.AddMinutes(-43), ["gamma"] = Now.AddMinutes(-11),
        };
        foreach (var (json, stats) in api.Zip(answered))
        {
            var own = inHour.Where(r => r.Consumer == stats.Consumer).ToList();
            long errors = own.Count(r => r.StatusCode >= 500);
            double p95 = Exact(own, 0.95);
            Assert.Equal((own.Count, errors, lastSeen[stats.Consumer]), (stats.Count, stats.Errors, stats.LastSeen));
            Assert.Equal((own.Count, errors), (json.GetProperty("count").GetInt64(), json.GetProperty("errors").GetInt64()));
            Assert.Equal(lastSeen[stats.Consumer], json.GetProperty("lastSeen").GetDateTimeOffset());
            Assert.InRange(stats.P95, p95 * 0.99, p95 * 1.01);
            Assert.InRange(json.GetProperty("p95").GetDouble(), p95 * 0.99, p95 * 1.01);
            Assert.Equal(own.Average(r => r.Duration.TotalMilliseconds), json.GetProperty("avg").GetDouble(), 6);
            Assert.Equal(JsonValueKind.Null, json.GetProperty("previous").ValueKind);
        }

        var releases = (await host.GetJsonAsync($"/analytics/api/releases?{LastHour}")).EnumerateArray().ToList();
        var releaseStats = await queries.GetReleasesAsync(hour);
        Assert.Equal(["2.0", "1.0"], releases.Select(r => r.GetProperty("release").GetString()));
        Assert.Equal(["2.0", "1.0"], releaseStats.Select(r => r.Release));
        var seen = new Dictionary<string, (DateTimeOffset, DateTimeOffset)>
        {
            ["2.0"] = (Now.AddMinutes(-20), Now.AddMinutes(-11)), ["1.0"] = (Now.AddMinutes(-55), Now.AddMinutes(-41)),
        };
        foreach (var (json, stats) in releases.Zip(releaseStats))
        {
            var own = inHour.Where(r => r.Release == stats.Release).ToList();
            double p95 = Exact(own, 0.95);
            double errorRate = (double)own.Count(r => r.StatusCode >= 500) / own.Count;
            Assert.Equal((own.Count, errorRate, seen[stats.Release]), (stats.Count, stats.ErrorRate, (stats.FirstSeen, stats.LastSeen)));
            Assert.Equal(own.Count, json.GetProperty("count").GetInt64());
            Assert.Equal(errorRate, json.GetProperty("errorRate").GetDouble(), 12);
            Assert.Equal(seen[stats.Release], (json.GetProperty("firstSeen").GetDateTimeOffset(), json.GetProperty("lastSeen").GetDateTimeOffset()));
            Assert.InRange(stats.P95, p95 * 0.99, p95 * 1.01);
            Assert.InRange(json.GetProperty("p95").GetDouble(), p95 * 0.99, p95 * 1.01);
        }

        // Every request read takes consumer= and release=.
        Assert.Equal(20, (await host.GetJsonAsync($"/analytics/api/overview?{LastHour}&consumer=beta")).GetProperty("totalRequests").GetInt64());
        Assert.Equal(20, (await queries.GetOverviewAsync(hour with { Consumer = "beta" })).TotalRequests);
        Assert.Equal(30, (await host.GetJsonAsync($"/analytics/api/overview?{LastHour}&release=2.0")).GetProperty("totalRequests").GetInt64());
        Assert.Equal(20, (await host.GetJsonAsync($"/analytics/api/overview?{LastHour}&release=2.0&consumer=alpha")).GetProperty("totalRequests").GetInt64());
        var betaRoutes = (await host.GetJsonAsync($"/analytics/api/routes?{LastHour}&consumer=beta")).EnumerateArray().ToList();
        Assert.Equal(("/orders", 20L), (Assert.Single(betaRoutes).GetProperty("route").GetString(), betaRoutes[0].GetProperty("count").GetInt64()));
        var gammaLog = await host.GetJsonAsync($"/analytics/api/requests?{LastHour}&consumer=gamma&limit=100");
        Assert.Equal(10, gammaLog.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ComparedWithThePreviousPeriodOrReleaseTheCountsAreThoseOfThePriorWindow()
    {
        var traffic = Traffic();
        await using var host = await StartAsync(traffic);
        var before = traffic.Where(r => r.Timestamp < Now.AddHours(-1)).ToList();

        var overview = await host.GetJsonAsync($"/analytics/api/overview?{LastHour}&compare=previous-period");
        var previous = overview.GetProperty("previous");
        Assert.Equal(before.Count, previous.GetProperty("totalRequests").GetInt64());
        Assert.Equal(Now.AddHours(-2), previous.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, previous.GetProperty("previous").ValueKind);

        var consumers = (await host.GetJsonAsync($"/analytics/api/consumers?{LastHour}&compare=previous-period")).EnumerateArray()
            .ToDictionary(c => c.GetProperty("consumer").GetString()!, c => c.GetProperty("previous"));
        Assert.Equal(before.Count(r => r.Consumer == "alpha"), consumers["alpha"].GetProperty("count").GetInt64());
        Assert.Equal(before.Count(r => r.Consumer == "beta"), consumers["beta"].GetProperty("count").GetInt64());
        Assert.Equal(JsonValueKind.Null, consumers["gamma"].ValueKind);
        var queries = host.App.Services.GetRequiredService<IAnalyticsQueries>();
        var compared = new AnalyticsQuery { From = Now.AddHours(-1), To = Now, Compare = AnalyticsComparison.PreviousPeriod };
        Assert.Equal(before.Count, (await queries.GetOverviewAsync(compared)).Previous!.TotalRequests);

        // 2.0 is the newest release of the hour; 1.0 came before it and was last seen at 11:19: its hour up to then.
        var release = await host.GetJsonAsync($"/analytics/api/overview?{LastHour}&compare=previous-release");
        var ofOne = traffic.Where(r => r.Release == "1.0" && r.Timestamp >= Now.AddMinutes(-101)).ToList();
        Assert.Equal(ofOne.Count, release.GetProperty("previous").GetProperty("totalRequests").GetInt64());
        Assert.Equal(Now.AddMinutes(-41), release.GetProperty("previous").GetProperty("to").GetDateTimeOffset());
        var routes = (await host.GetJsonAsync($"/analytics/api/routes?{LastHour}&compare=previous-release")).EnumerateArray()
            .ToDictionary(r => r.GetProperty("route").GetString()!, r => r.GetProperty("previous"));
        Assert.Equal(ofOne.Count(r => r.Route == "/orders"), routes["/orders"].GetProperty("count").GetInt64());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task OtherAppearsExactlyWhenABucketHasMoreConsumersThanTheCap(int cap)
    {
        // One minute: alpha's 3 requests, then beta's 2, then gamma's 4.
        var minute = Now.AddMinutes(-30);
        var traffic = new[] { ("alpha", 3), ("beta", 2), ("gamma", 4) }
            .SelectMany(c => Enumerable.Range(0, c.Item2).Select(i => Request(c.Item1, "1.0", minute.AddSeconds(i), 10 + i)))
            .ToList();
        await using var host = await StartAsync(traffic, cap);

        foreach (var granularity in new[] { "minute", "hour", "day" })
        {
            var counts = (await host.GetJsonAsync($"/analytics/api/consumers?{LastHour}&granularity={granularity}")).EnumerateArray()
                .ToDictionary(c => c.GetProperty("consumer").GetString()!, c => c.GetProperty("count").GetInt64());
            Assert.Equal(
                cap == 2
                    ? new Dictionary<string, long> { ["alpha"] = 3, ["beta"] = 2, ["(other)"] = 4 }
                    : new Dictionary<string, long> { ["alpha"] = 3, ["beta"] = 2, ["gamma"] = 4 },
                counts);
        }

        // The ordinary rollups count every request and every consumer, whatever the cap.
        var overview = await host.GetJsonAsync($"/analytics/api/overview?{LastHour}");
        Assert.Equal((9L, 3L), (overview.GetProperty("totalRequests").GetInt64(), overview.GetProperty("uniqueConsumers").GetInt64()));
        Assert.Equal(cap == 2 ? 4 : 0, (await host.GetJsonAsync($"/analytics/api/overview?{LastHour}&consumer=(other)")).GetProperty("totalRequests").GetInt64());
    }

    /// <summary>
    /// Alpha and beta on release 1.0 the hour before and in the first part of the hour; then alpha and gamma on 2.0. One
    /// request every 20 seconds per consumer, with known durations and errors.
    /// </summary>
    private static List<RequestRecord> Traffic()
    {
        var records = new List<RequestRecord>();
        void Add(string consumer, string release, int count, DateTimeOffset start, Func<int, double> ms, Func<int, int>? status = null, string route = "/items/{id}")
        {
            for (int i = 0; i < count; i++)
            {
                records.Add(Request(consumer, release, start.AddSeconds(i * 20), ms(i), status?.Invoke(i) ?? 200, route));
            }
        }

        Add("alpha", "1.0", 5, Now.AddMinutes(-90), i => 5 + i);                                       // 10:30 to 10:31:20
        Add("beta", "1.0", 3, Now.AddMinutes(-90), i => 7, route: "/orders");                          // 10:30 to 10:30:40
        Add("alpha", "1.0", 40, Now.AddMinutes(-55), i => 10 + i, i => i % 10 == 0 ? 500 : 200);     // 11:05 to 11:18
        Add("beta", "1.0", 20, Now.AddMinutes(-50), i => 200 + (i * 3), route: "/orders");           // 11:10 to 11:16:20
        Add("alpha", "2.0", 20, Now.AddMinutes(-20), i => 50 + i);                                    // 11:40 to 11:46:20
        Add("gamma", "2.0", 10, Now.AddMinutes(-15), i => 1_000 + (i * 10), i => i == 0 ? 503 : 200); // 11:45 to 11:48
        return records;
    }

    private static RequestRecord Request(string consumer, string release, DateTimeOffset at, double milliseconds, int status = 200, string route = "/items/{id}") =>
        StoreTestData.Request(at, route: route, status: status, milliseconds: milliseconds) with { Consumer = consumer, Release = release };

    private static double Exact(List<RequestRecord> requests, double q) =>
        StoreTestData.ExactQuantile([.. requests.Select(r => r.Duration.TotalMilliseconds).Order()], q);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Starts a host on the store under test at <see cref="Now"/>, and puts the traffic through its pipeline.</summary>
    private async Task<AnalyticsTestHost> StartAsync(IReadOnlyList<RequestRecord> traffic, int maxConsumersPerBucket = 1_000)
    {
        var host = await AnalyticsTestHost.StartAsync(
            app => app.MapRequestAnalytics(),
            o => o.MaxConsumersPerBucket = maxConsumersPerBucket,
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
                UseStore(builder);
            });
        var queue = host.App.Services.GetRequiredService<AnalyticsQueue>();
        foreach (var request in traffic)
        {
            Assert.True(queue.TryEnqueue(request));
        }

        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(traffic.Count, host.Pipeline.Written);
        return host;
    }
}

/// <summary>The acceptance test on the default store, an SQLite file.</summary>
public sealed class SqliteConsumersAcceptanceTests : ConsumersAcceptanceTests
{
    protected override void UseStore(WebApplicationBuilder builder)
    {
    }
}
