using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// Bucket totals (<see cref="RollupQuery.BucketTotals"/>): a store may answer such a read with rows already summed over
/// every key but the bucket, the kind and the status class; whichever rows it returns, their sums per bucket, kind and
/// class are those of its ordinary rows, and filters still apply.
/// </summary>
public abstract partial class AnalyticsStoreConformanceTests<TFactory>
{
    /// <summary>Bucket totals equal the ordinary rows summed, across two batches into the same buckets and a day boundary.</summary>
    [Fact]
    public async Task BucketTotalsEqualTheRollupsSummedPerBucketKindAndStatusClass()
    {
        await Store.WriteBatchAsync(BucketTotalsChecks.Traffic(0), default);
        await Store.WriteBatchAsync(BucketTotalsChecks.Traffic(1), default);

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            Assert.True(await BucketTotalsChecks.AssertEqualToRollupsAsync(Store, granularity, Start, Start.AddDays(2)) >= 2 * 2 * 3);
            await BucketTotalsChecks.AssertEqualToRollupsAsync(Store, granularity, Start, Start.AddDays(2), RequestKind.WebSocket);
        }

        var hours = RollupRange(Granularity.Hour, Start, Start.AddDays(2), includeSketches: true) with { BucketTotals = true };
        var route = await Store.ReadRequestRollupsAsync(hours with { Route = "/a" }, default).ToListAsync();
        Assert.All(route, r => Assert.Equal("/a", r.Route));
        Assert.Equal(80L, route.Sum(r => r.Count));
        var failed = await Store.ReadRequestRollupsAsync(hours with { MinStatusCode = 500 }, default).ToListAsync();
        Assert.Equal((48L, 48L), (failed.Sum(r => r.Count), failed.Sum(r => r.Errors)));
        Assert.Equal(240L, (await Store.ReadRequestRollupsAsync(hours, default).ToListAsync()).Sum(r => r.Count));
    }

    /// <summary>
    /// A read asking for <see cref="RollupQuery.BucketTotalsByRelease"/> returns per bucket, kind and release the sums
    /// and merged sketches of the ordinary rows, over every release or one, for one kind; plain bucket totals filtered
    /// on a release count that release only; and the filters totals cannot answer still apply.
    /// </summary>
    [Fact]
    public async Task BucketTotalsByReleaseEqualTheRollupsSummedPerBucketKindAndRelease()
    {
        await Store.WriteBatchAsync(BucketTotalsChecks.Traffic(0), default);
        await Store.WriteBatchAsync(BucketTotalsChecks.Traffic(1), default);

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var range = RollupRange(granularity, Start, Start.AddDays(2));
            Assert.True(await BucketTotalsChecks.AssertReleaseTotalsEqualToRollupsAsync(Store, range) >= 2 * 2);
            Assert.True(await BucketTotalsChecks.AssertReleaseTotalsEqualToRollupsAsync(Store, range with { Release = "1.0" }) >= 1);
            await BucketTotalsChecks.AssertReleaseTotalsEqualToRollupsAsync(Store, range with { Kind = RequestKind.WebSocket });

            async Task<long> Count(RollupQuery query) => (await Store.ReadRequestRollupsAsync(query, default).ToListAsync()).Sum(r => r.Count);
            Assert.Equal(60L, await Count(range with { BucketTotals = true, Release = "1.0" })); // i < 30 of both batches
            Assert.Equal(180L, await Count(range with { BucketTotals = true, Release = "1.1" }));
            Assert.Equal(0L, await Count(range with { BucketTotalsByRelease = true, Release = "0.9" }));
            Assert.Equal(80L, await Count(range with { BucketTotalsByRelease = true, Route = "/a" }));
            Assert.Equal(20L, await Count(range with { BucketTotalsByRelease = true, Route = "/a", Release = "1.0" }));
        }
    }

    /// <summary>A rollup purge takes the bucket totals of its granularity before the cutoff with it, and no others.</summary>
    [Fact]
    public async Task BucketTotalsArePurgedWithTheirRollups()
    {
        await Store.WriteBatchAsync(BucketTotalsChecks.Traffic(0), default);
        await Store.WriteBatchAsync(BucketTotalsChecks.Traffic(1), default);

        await Store.PurgeRollupsAsync(Granularity.Hour, Start.AddDays(1), 10_000, default);

        var hours = RollupRange(Granularity.Hour, Start, Start.AddDays(2)) with { BucketTotals = true };
        var kept = await Store.ReadRequestRollupsAsync(hours, default).ToListAsync();
        Assert.All(kept, r => Assert.Equal(Start.AddDays(1), r.BucketStart));
        Assert.Equal(120L, kept.Sum(r => r.Count)); // the 10 minutes after midnight, of both batches
        await BucketTotalsChecks.AssertEqualToRollupsAsync(Store, Granularity.Hour, Start, Start.AddDays(2));
        await BucketTotalsChecks.AssertEqualToRollupsAsync(Store, Granularity.Minute, Start, Start.AddDays(2));
        Assert.Equal(240L, (await Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Minute, Start, Start.AddDays(2)) with { BucketTotals = true }, default).ToListAsync()).Sum(r => r.Count));
    }
}
