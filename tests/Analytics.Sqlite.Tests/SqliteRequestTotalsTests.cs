using Analytics.Storage;
using Analytics.Storage.Testing;
using Analytics.Testing;
using Microsoft.Data.Sqlite;
using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Sqlite.Tests;

/// <summary>
/// Schema 13: request_totals, the per-bucket totals that answer reads asking for <see cref="RollupQuery.BucketTotals"/>;
/// schema 14: consumer_totals, the same per consumer (the conformance suites check their sums; these check that SQLite
/// reads them, and the migrations that build them).
/// </summary>
public sealed class SqliteRequestTotalsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AReadOfBucketTotalsReturnsOneRowPerBucketKindAndStatusClass()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        await store.WriteBatchAsync(BucketTotalsChecks.Traffic(0), default);
        await store.WriteBatchAsync(BucketTotalsChecks.Traffic(1), default);

        var hours = RollupRange(Granularity.Hour, Start, Start.AddDays(2), includeSketches: true) with { BucketTotals = true };
        var totals = await store.ReadRequestRollupsAsync(hours, default).ToListAsync();
        int stored = Keys(Granularity.Hour, withRelease: true); // 2 hours × (http, WebSocket) × (2xx, 4xx, 5xx) × releases
        Assert.Equal(stored, totals.Count);
        Assert.All(totals, r => Assert.Equal(("", "", (string?)null), (r.Route, r.Method, r.Release)));
        Assert.True((await store.ReadRequestRollupsAsync(hours with { BucketTotals = false }, default).ToListAsync()).Count > stored);
        Assert.Equal(12, await BucketTotalsChecks.AssertEqualToRollupsAsync(store, Granularity.Hour, Start, Start.AddDays(2)));

        var byRelease = await store.ReadRequestRollupsAsync(hours with { BucketTotals = false, BucketTotalsByRelease = true }, default).ToListAsync();
        Assert.Equal(stored, byRelease.Count);
        Assert.Equal(
            (60L, 180L), (byRelease.Where(r => r.Release == "1.0").Sum(r => r.Count), byRelease.Where(r => r.Release == "1.1").Sum(r => r.Count)));
    }

    /// <summary>
    /// Reads that need no key but the bucket, kind and release are answered from request_totals alone: with the rollup
    /// rows deleted behind the store's back they still count everything, while a read filtered on a route finds nothing.
    /// </summary>
    [Fact]
    public async Task CountsPerBucketAndTotalsByReleaseAreReadFromTheTotals()
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.WriteBatchAsync(BucketTotalsChecks.Traffic(0), default);
        await store.WriteBatchAsync(BucketTotalsChecks.Traffic(1), default);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            SqliteCommands.Execute(connection, "DELETE FROM request_rollups;");
        }

        var hours = RollupRange(Granularity.Hour, Start, Start.AddDays(2));
        Assert.Equal(240L, await CountAsync(store, hours));
        Assert.Equal(60L, await CountAsync(store, hours with { Release = "1.0" }));
        Assert.Equal(
            22L, await CountAsync(store, hours with { Kind = RequestKind.WebSocket }));
        Assert.Equal(0L, await CountAsync(store, hours with { Route = "/a" }));
        var byRelease = await store.ReadRequestRollupsAsync(hours with { BucketTotalsByRelease = true }, default).ToListAsync();
        Assert.Equal(["1.0", "1.1"], byRelease.Select(r => r.Release).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(240L, byRelease.Sum(r => r.Count));
    }

    /// <summary>
    /// Counts per bucket filtered on no more than the kind and the release scan request_totals' counts index alone;
    /// any other filter reads the rollups.
    /// </summary>
    [Theory]
    [InlineData(null, null, "SEARCH request_totals USING COVERING INDEX ix_request_totals_counts")]
    [InlineData("1.0", null, "SEARCH request_totals USING COVERING INDEX ix_request_totals_counts")]
    [InlineData("1.0", "/a", "SEARCH request_rollups USING INDEX ux_request_rollups")]
    public void CountsPerBucketSearchTheIndexThatHoldsTheirFilters(string? release, string? route, string expected)
    {
        using var connection = new SqliteConnection($"Data Source={_directory.File("a.db")};Pooling=False");
        connection.Open();
        SqliteSchema.Migrate(connection);
        var query = RollupRange(Granularity.Hour, Start, Start.AddDays(7)) with { Kind = RequestKind.Http, Release = release, Route = route };
        using var command = SqliteAnalyticsStore.CreateRollupCommand(
            connection, SqliteAnalyticsStore.CountsByBucketSelect(query), query, requests: true, groupBy: "bucket_start", keys: RollupKeys.Release);
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.StartsWith(expected, reader.GetString(3), StringComparison.Ordinal);
    }

    /// <summary>
    /// A file of schema 12 (no totals) or 14 (totals without the release; empty here, as only the rollups are written)
    /// gets the totals of its rollups, by release, at the first start, and later batches add to them.
    /// </summary>
    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    public async Task AnEarlierFileGetsTheTotalsOfItsRollupsAndKeepsAddingToThem(int version)
    {
        // A file as an earlier release left it: rollups written by the same upsert, two batches each.
        var path = _directory.File("a.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            SqliteSchema.Migrate(connection, upTo: version);
            using var upsert = SqliteRollupUpsert.ForRequests(connection);
            using var transaction = connection.BeginTransaction();
            foreach (var batch in new[] { BucketTotalsChecks.Traffic(0), BucketTotalsChecks.Traffic(1) })
            {
                foreach (var rollup in batch.RequestRollups)
                {
                    upsert.Run(rollup);
                }
            }

            transaction.Commit();
            Assert.Equal(version, SqliteSchema.GetVersion(connection));
        }

        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            await BucketTotalsChecks.AssertEqualToRollupsAsync(store, granularity, Start, Start.AddDays(2));
            await BucketTotalsChecks.AssertReleaseTotalsEqualToRollupsAsync(store, RollupRange(granularity, Start, Start.AddDays(2)));
        }

        await store.WriteBatchAsync(BucketTotalsChecks.Traffic(2), default);
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            await BucketTotalsChecks.AssertEqualToRollupsAsync(store, granularity, Start, Start.AddDays(2));
            await BucketTotalsChecks.AssertReleaseTotalsEqualToRollupsAsync(store, RollupRange(granularity, Start, Start.AddDays(2)));
        }

        var days = RollupRange(Granularity.Day, Start, Start.AddDays(2)) with { BucketTotals = true };
        var totals = await store.ReadRequestRollupsAsync(days, default).ToListAsync();
        Assert.Equal((Keys(Granularity.Day, withRelease: true), 360L), (totals.Count, totals.Sum(r => r.Count)));
    }

    private static async Task<long> CountAsync(SqliteAnalyticsStore store, RollupQuery query) =>
        (await store.ReadRequestCountsByBucketAsync(query, default).ToListAsync()).Sum(b => b.Count);

    /// <summary>
    /// The upgrade sorts the rollups it sums in a temporary file (their sketches held in memory took 250 MB on a 1.3 GB
    /// file), and the writer's connection goes back to keeping its temporary tables in memory afterwards.
    /// </summary>
    [Fact]
    public void AfterAnUpgradeTheWritersTemporaryTablesAreInMemoryAgain()
    {
        var path = _directory.File("a.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            SqliteSchema.Migrate(connection, upTo: 12);
        }

        using var writer = SqliteWriter.Open($"Data Source={path};Pooling=False", path);
        Assert.Equal(SqliteSchema.LatestVersion, SqliteSchema.GetVersion(writer.Connection));
        Assert.Equal(2L, SqliteCommands.Scalar(writer.Connection, "PRAGMA temp_store;")); // MEMORY
    }

    // The distinct (bucket, kind, status class[, release]) of the traffic: the totals it stores.
    private static int Keys(Granularity granularity, bool withRelease) => BucketTotalsChecks.Traffic(0).Requests
        .Select(r => (granularity.Floor(r.Timestamp), r.Kind, r.StatusCode / 100, withRelease ? r.Release : null))
        .Distinct()
        .Count();

    [Fact]
    public async Task AReadOfConsumerBucketTotalsReturnsOneRowPerBucketKindAndConsumer()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        await store.WriteBatchAsync(BucketTotalsChecks.Traffic(0), default);
        await store.WriteBatchAsync(BucketTotalsChecks.Traffic(1), default);

        var hours = RollupRange(Granularity.Hour, Start, Start.AddDays(2), includeSketches: true);
        var totals = await store.ReadConsumerRollupsAsync(hours with { BucketTotals = true }, default).ToListAsync();
        Assert.Equal(9, totals.Count); // 2 hours × http × 3 consumers, and WebSockets: consumer-0 and -2 the first hour, -1 the second
        Assert.All(totals, r => Assert.Equal(("", "", 0, (string?)null), (r.Route, r.Method, r.StatusCode, r.Release)));
        Assert.Equal(60L, totals.Sum(r => r.Count));
        Assert.True((await store.ReadConsumerRollupsAsync(hours, default).ToListAsync()).Count > 9);
        Assert.Equal(9, await BucketTotalsChecks.AssertConsumerTotalsEqualToRollupsAsync(store, hours));
        var one = await store.ReadConsumerRollupsAsync(hours with { BucketTotals = true, Consumer = "consumer-1" }, default).ToListAsync();
        Assert.Equal((3, 20L), (one.Count, one.Sum(r => r.Count)));
    }

    [Fact]
    public async Task AVersion13FileGetsTheConsumerTotalsOfItsPerConsumerRollupsAndKeepsAddingToThem()
    {
        // A file as the previous release left it: schema 13, one batch's per-consumer rollups as its writer stored them.
        var path = _directory.File("a.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            SqliteSchema.Migrate(connection, upTo: 13);
            foreach (var r in BucketTotalsChecks.Traffic(0).ConsumerRollups)
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO consumer_rollups (granularity, bucket_start, route, method, status, environment, instance, kind, release,
                        consumer, count, errors, duration_sum_us, duration_min_us, duration_max_us, request_bytes, response_bytes, latency)
                    VALUES ($g, $b, $route, $method, $status, '', '', $kind, $release, $consumer, $count, $errors, $sum, $min, $max,
                        $in, $out, $latency);
                    """;
                insert.Parameters.AddWithValue("$g", (int)r.Granularity);
                insert.Parameters.AddWithValue("$b", SqliteAnalyticsStore.ToUnixMicroseconds(r.BucketStart));
                insert.Parameters.AddWithValue("$route", r.Route);
                insert.Parameters.AddWithValue("$method", r.Method);
                insert.Parameters.AddWithValue("$status", r.StatusCode);
                insert.Parameters.AddWithValue("$kind", (int)r.Kind);
                insert.Parameters.AddWithValue("$release", r.Release ?? "");
                insert.Parameters.AddWithValue("$consumer", r.Consumer);
                insert.Parameters.AddWithValue("$count", r.Count);
                insert.Parameters.AddWithValue("$errors", r.Errors);
                insert.Parameters.AddWithValue("$sum", r.DurationSumMicroseconds);
                insert.Parameters.AddWithValue("$min", r.DurationMinMicroseconds);
                insert.Parameters.AddWithValue("$max", r.DurationMaxMicroseconds);
                insert.Parameters.AddWithValue("$in", r.RequestBytes);
                insert.Parameters.AddWithValue("$out", r.ResponseBytes);
                insert.Parameters.AddWithValue("$latency", r.Latency!.ToBytes());
                insert.ExecuteNonQuery();
            }

            Assert.Equal(13, SqliteSchema.GetVersion(connection));
        }

        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var range = RollupRange(granularity, Start, Start.AddDays(2));
            Assert.True(await BucketTotalsChecks.AssertConsumerTotalsEqualToRollupsAsync(store, range) >= 6);
        }

        await store.WriteBatchAsync(BucketTotalsChecks.Traffic(1), default);
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            await BucketTotalsChecks.AssertConsumerTotalsEqualToRollupsAsync(store, RollupRange(granularity, Start, Start.AddDays(2)));
        }

        var days = RollupRange(Granularity.Day, Start, Start.AddDays(2)) with { BucketTotals = true };
        var totals = await store.ReadConsumerRollupsAsync(days, default).ToListAsync();
        Assert.Equal((9, 60L), (totals.Count, totals.Sum(r => r.Count)));
    }
}
