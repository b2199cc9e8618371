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
        Assert.Equal(12, totals.Count); // 2 hours × (http, WebSocket) × (2xx, 4xx, 5xx)
        Assert.All(totals, r => Assert.Equal(("", "", (string?)null), (r.Route, r.Method, r.Release)));
        Assert.True((await store.ReadRequestRollupsAsync(hours with { BucketTotals = false }, default).ToListAsync()).Count > 12);
        Assert.Equal(12, await BucketTotalsChecks.AssertEqualToRollupsAsync(store, Granularity.Hour, Start, Start.AddDays(2)));
    }

    [Fact]
    public async Task AVersion12FileGetsTheTotalsOfItsRollupsAndKeepsAddingToThem()
    {
        // A file as the previous release left it: schema 12, rollups written by the same upsert, two batches each.
        var path = _directory.File("a.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            SqliteSchema.Migrate(connection, upTo: 12);
            using var upsert = new SqliteRollupUpsert(connection);
            using var transaction = connection.BeginTransaction();
            foreach (var batch in new[] { BucketTotalsChecks.Traffic(0), BucketTotalsChecks.Traffic(1) })
            {
                foreach (var rollup in batch.RequestRollups)
                {
                    upsert.Run(rollup);
                }
            }

            transaction.Commit();
            Assert.Equal(12, SqliteSchema.GetVersion(connection));
        }

        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            await BucketTotalsChecks.AssertEqualToRollupsAsync(store, granularity, Start, Start.AddDays(2));
        }

        await store.WriteBatchAsync(BucketTotalsChecks.Traffic(2), default);
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            await BucketTotalsChecks.AssertEqualToRollupsAsync(store, granularity, Start, Start.AddDays(2));
        }

        var days = RollupRange(Granularity.Day, Start, Start.AddDays(2)) with { BucketTotals = true };
        var totals = await store.ReadRequestRollupsAsync(days, default).ToListAsync();
        Assert.Equal((12, 360L), (totals.Count, totals.Sum(r => r.Count)));
    }

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
                    VALUES ($g, $b, $route, $method, $status, '', '', $kind, '', $consumer, $count, $errors, $sum, $min, $max, $in, $out, $latency);
                    """;
                insert.Parameters.AddWithValue("$g", (int)r.Granularity);
                insert.Parameters.AddWithValue("$b", SqliteAnalyticsStore.ToUnixMicroseconds(r.BucketStart));
                insert.Parameters.AddWithValue("$route", r.Route);
                insert.Parameters.AddWithValue("$method", r.Method);
                insert.Parameters.AddWithValue("$status", r.StatusCode);
                insert.Parameters.AddWithValue("$kind", (int)r.Kind);
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
