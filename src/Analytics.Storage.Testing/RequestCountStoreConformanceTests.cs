using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The suite of <see cref="StoreCapabilities.RequestCounts"/> (<see cref="IRequestCountStore"/>): counts summed by the
/// database, the same numbers as adding up the rollup rows. Derive a public class from it, for the same factory as
/// <see cref="AnalyticsStoreConformanceTests{TFactory}"/>, when the store declares the capability.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
public abstract class RequestCountStoreConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    private IRequestCountStore Counts => Declared(static c => c.RequestCounts, nameof(StoreCapabilities.RequestCounts));

    /// <summary>
    /// Gets the filters the counts are checked under: none, each filter of <see cref="RollupQuery"/> alone, and one
    /// nothing matches.
    /// </summary>
    public static TheoryData<string> CountFilters =>
        ["none", "route", "method", "5xx", "environment", "instance", "kind", "release", "nothing matches"];

    /// <summary>
    /// Counts per bucket and per status code, and the latest bucket per route and method, equal the rollup rows added
    /// up, under every filter and at every granularity.
    /// </summary>
    /// <param name="filter">The filter to apply, one of <see cref="CountFilters"/>.</param>
    [Theory]
    [MemberData(nameof(CountFilters))]
    public async Task CountsByBucketAndByStatusEqualTheRollupRowsAddedUp(string filter)
    {
        var counts = Counts;
        var random = new Random(7);
        string[] routes = ["/items/{id}", "/orders", "/health"];
        int[] statuses = [200, 201, 404, 500, 503];
        var requests = new RequestRecord[3_000];
        for (int i = 0; i < requests.Length; i++)
        {
            var request = Request(
                Start.AddMinutes(random.Next(0, 6 * 60)).AddSeconds(random.Next(60)),
                route: routes[random.Next(routes.Length)],
                method: random.Next(4) == 0 ? "POST" : "GET",
                status: statuses[random.Next(statuses.Length)],
                environment: random.Next(2) == 0 ? "Production" : null,
                instance: $"web-{random.Next(3)}");
            requests[i] = request with
            {
                Kind = i % 10 == 0 ? RequestKind.WebSocket : RequestKind.Http,
                Release = i % 3 == 0 ? "2.0" : "1.0",
            };
        }

        await Store.WriteBatchAsync(Batch(requests, keepRaw: false), default);

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            // From the second hour, so the range bounds are tested too; days start at midnight.
            var query = RollupRange(granularity, granularity == Granularity.Day ? Start : Start.AddHours(1), Start.AddDays(1)) with
            {
                IncludeSketches = true,
                IncludeCardinality = true
            };
            query = filter switch
            {
                "route" => query with { Route = "/orders" },
                "method" => query with { Method = "POST" },
                "5xx" => query with { MinStatusCode = 500, MaxStatusCode = 599 },
                "environment" => query with { Environment = "Production" },
                "instance" => query with { Instance = "web-2" },
                "kind" => query with { Kind = RequestKind.WebSocket },
                "release" => query with { Release = "2.0" },
                "nothing matches" => query with { Route = "/nowhere" },
                _ => query,
            };

            var rows = await Store.ReadRequestRollupsAsync(query, default).ToListAsync();
            var expectedBuckets = rows.GroupBy(r => r.BucketStart).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
            var expectedStatuses = rows.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));

            var buckets = await counts.ReadRequestCountsByBucketAsync(query, default).ToListAsync();
            var byStatus = await counts.ReadRequestCountsByStatusAsync(query, default).ToListAsync();
            var latest = await counts.ReadLatestBucketsByRouteAsync(query, default).ToListAsync();
            var expectedLatest = rows
                .GroupBy(r => (r.Route, r.Method))
                .Select(g => new RouteBucket(g.Key.Route, g.Key.Method, g.Max(r => r.BucketStart)));

            Assert.Equal(expectedBuckets.OrderBy(b => b.Key), buckets.Select(b => KeyValuePair.Create(b.BucketStart, b.Count)).OrderBy(b => b.Key));
            Assert.Equal(expectedStatuses.OrderBy(s => s.Key), byStatus.Select(s => KeyValuePair.Create(s.StatusCode, s.Count)).OrderBy(s => s.Key));
            Assert.Equal(
                expectedLatest.OrderBy(r => r.Route, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal),
                latest.OrderBy(r => r.Route, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal));
            Assert.All(buckets, b => Assert.Equal(TimeSpan.Zero, b.BucketStart.Offset));
            Assert.All(latest, r => Assert.Equal(TimeSpan.Zero, r.BucketStart.Offset));
            if (filter == "nothing matches")
            {
                Assert.Empty(buckets);
                Assert.Empty(byStatus);
                Assert.Empty(latest);
            }
            else
            {
                Assert.NotEmpty(buckets);
                Assert.True(latest.Count > 1 || filter == "route", $"{filter}: {latest.Count} routes");
                Assert.True(byStatus.Count > 1 || filter == "5xx", $"{filter}: {byStatus.Count} status codes");
            }
        }
    }
}
