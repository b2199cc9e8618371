using Analytics.Storage;
using Analytics.Storage.Testing;
using Analytics.Testing;
using Microsoft.Data.Sqlite;
using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Sqlite.Tests;

/// <summary>
/// Schema 13: request_totals, the per-bucket totals that answer reads asking for <see cref="RollupQuery.BucketTotals"/>
/// (the conformance suite checks their sums; these check that SQLite reads them, and the migration that builds them).
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
}
