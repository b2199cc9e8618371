using Analytics.Storage;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.Data.Sqlite;
using static Analytics.Sqlite.Tests.SqliteCommands;

namespace Analytics.Sqlite.Tests;

/// <summary>Schema 10: consumers and releases on raw rows, release in the rollup key, the per-consumer rollup table.</summary>
public sealed class SqliteConsumerSchemaTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AVersion9FileKeepsItsRowsAndLaterBatchesAddToTheReleaselessRowsOrBeginTheirOwn()
    {
        // A file as the previous release left it: schema 9, a raw request, a raw event and a minute of rollups.
        var path = _directory.File("a.db");
        using (var connection = Open(path))
        {
            foreach (var (version, resource) in SqliteSchema.Migrations.Where(m => m.Version <= 9))
            {
                Execute(connection, SqliteSchema.ReadScript(resource) + $"\nPRAGMA user_version = {version};");
            }

            var sketch = new LatencySketch();
            sketch.Add(1_000);
            var users = new CardinalitySketch();
            users.Add("u1");
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO requests (ts, method, route, path, status, duration_us, request_bytes, response_bytes, kind, user_id)
                VALUES ($bucket, 'GET', '/items/{id}', '/items/1', 200, 1000, 0, 0, 0, 'u1');
                INSERT INTO events (ts, name) VALUES ($bucket, 'deploy');
                INSERT INTO request_rollups (granularity, bucket_start, route, method, status, environment, instance, kind, count, errors,
                    duration_sum_us, duration_min_us, duration_max_us, request_bytes, response_bytes, latency, users)
                VALUES (0, $bucket, '/items/{id}', 'GET', 200, '', '', 0, 1, 0, 1000, 1000, 1000, 0, 0, $latency, $users);
                """;
            insert.Parameters.AddWithValue("$bucket", SqliteAnalyticsStore.ToUnixMicroseconds(Day));
            insert.Parameters.AddWithValue("$latency", sketch.ToBytes());
            insert.Parameters.AddWithValue("$users", users.ToBytes());
            insert.ExecuteNonQuery();
        }

        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);

        var request = Assert.Single(await store.ReadRequestsAsync(new RawQuery(), default)).Request;
        Assert.Equal(("/items/1", "u1", null, null), (request.Path, request.UserId, request.Consumer, request.Release));
        var analyticsEvent = Assert.Single(await store.ReadEventsAsync(new RawQuery(), default)).Event;
        Assert.Equal(("deploy", null, null), (analyticsEvent.Name, analyticsEvent.Consumer, analyticsEvent.Release));
        var minute = TestData.RollupRange(Granularity.Minute, Day, Day.AddMinutes(1), includeSketches: true) with { IncludeCardinality = true };
        var old = Assert.Single(await store.ReadRequestRollupsAsync(minute, default).ToListAsync());
        Assert.Equal((1L, null, 1L, null), (old.Count, old.Release, old.Users!.Estimate(), old.Consumers));

        // A request of no release adds to the old row; one of a release begins its own.
        await store.WriteBatchAsync(
            StoreTestBatch([Request(1, consumer: "mobile"), Request(2, consumer: null) with { Release = "2.0" }]), default);

        var rows = (await store.ReadRequestRollupsAsync(minute, default).ToListAsync()).ToDictionary(r => r.Release ?? "");
        Assert.Equal((2L, 2L, 1L), (rows[""].Count, rows[""].Latency!.Count, rows[""].Consumers!.Estimate()));
        Assert.Equal((1L, null), (rows["2.0"].Count, rows["2.0"].Consumers));
        var consumer = Assert.Single(await store.ReadConsumerRollupsAsync(minute, default).ToListAsync());
        Assert.Equal(("mobile", 1L, null), (consumer.Consumer, consumer.Count, consumer.Release));
        using var check = Open(path);
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(check, "PRAGMA user_version;"));
    }

    [Theory]
    [InlineData("mobile", "SEARCH consumer_rollups USING INDEX ix_consumer_rollups_consumer (granularity=? AND consumer=? AND bucket_start>? AND bucket_start<?)")]
    [InlineData(null, "SEARCH consumer_rollups USING INDEX ux_consumer_rollups (granularity=? AND bucket_start>? AND bucket_start<?)")]
    public async Task OneConsumersRowsAreReadThroughTheConsumerIndexAndEveryConsumersThroughTheUniqueOne(string? consumer, string expected)
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        using var connection = Open(path);

        var query = TestData.RollupRange(Granularity.Hour, Day, Day.AddDays(7)) with { Consumer = consumer, Release = "2.0" };
        using var command = SqliteAnalyticsStore.CreateRollupCommand(
            connection, "SELECT * FROM consumer_rollups", query, requests: true, keys: RollupKeys.ReleaseAndConsumer);

        Assert.Contains(expected, ExplainQueryPlan(command), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CountsOfOneReleaseAreReadThroughTheUniqueIndexWhichHoldsTheRelease()
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.WriteBatchAsync(
            StoreTestBatch([Request(1, null) with { Release = "1.0" }, Request(2, null) with { Release = "2.0" }, Request(3, null)]), default);

        var query = TestData.RollupRange(Granularity.Minute, Day, Day.AddMinutes(1)) with { Release = "2.0" };
        var counts = (IRequestCountStore)store;

        Assert.Equal("ux_request_rollups", SqliteAnalyticsStore.CountsIndex(query));
        Assert.Equal(1, Assert.Single(await counts.ReadRequestCountsByBucketAsync(query, default).ToListAsync()).Count);
        Assert.Equal(1, Assert.Single(await counts.ReadRequestCountsByStatusAsync(query, default).ToListAsync()).Count);
    }

    private static RequestRecord Request(int i, string? consumer) => new()
    {
        Timestamp = Day.AddSeconds(i),
        Method = "GET",
        Route = "/items/{id}",
        Path = $"/items/{i}",
        StatusCode = 200,
        Duration = TimeSpan.FromMilliseconds(1),
        Consumer = consumer,
    };

    private static AnalyticsBatch StoreTestBatch(IEnumerable<RequestRecord> requests) => TestData.Batch(requests);

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static string ExplainQueryPlan(SqliteCommand command)
    {
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join("\n", lines);
    }
}
