using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// Retention: purges delete exactly the raw rows and the rollup buckets before their cutoff, in bounded chunks.
/// </summary>
public abstract partial class AnalyticsStoreConformanceTests<TFactory>
{
    /// <summary>Purging raw rows deletes the requests and events before the cutoff, and no rollup.</summary>
    [Fact]
    public async Task PurgingRawRowsDeletesExactlyThoseBeforeTheCutoff()
    {
        await Store.WriteBatchAsync(Batch(Enumerable.Range(0, 100).Select(i => Request(Start.AddSeconds(i)))), default);
        await Store.WriteBatchAsync(Batch(Enumerable.Range(0, 10)
            .Select(i => new EventRecord { Timestamp = Start.AddSeconds(i * 10), Name = "e" })), default);

        int deleted = await Store.PurgeRawAsync(Start.AddSeconds(40), 1_000, default);

        Assert.Equal(40 + 4, deleted);
        var requests = await Store.ReadRequestsAsync(new RawQuery { Limit = 1_000 }, default);
        Assert.Equal(Enumerable.Range(40, 60).Reverse().Select(i => Start.AddSeconds(i)), requests.Select(r => r.Request.Timestamp));
        var events = await Store.ReadEventsAsync(new RawQuery(), default);
        Assert.Equal(Enumerable.Range(4, 6).Reverse().Select(i => Start.AddSeconds(i * 10)), events.Select(e => e.Event.Timestamp));

        // Rollups are not raw rows: all 100 requests are still counted.
        Assert.Equal(100, (await Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Minute, Start, Start.AddHours(1)), default).ToListAsync()).Sum(r => r.Count));
    }

    /// <summary>
    /// A raw purge never deletes more rows than asked, so retention can call it until it returns less.
    /// </summary>
    [Fact]
    public async Task PurgingRawRowsNeverDeletesMoreThanTheChunk()
    {
        await Store.WriteBatchAsync(Batch(Enumerable.Range(0, 25).Select(i => Request(Start.AddSeconds(i)))), default);

        Assert.Equal(10, await Store.PurgeRawAsync(Start.AddDays(1), 10, default));
        Assert.Equal(10, await Store.PurgeRawAsync(Start.AddDays(1), 10, default));
        Assert.Equal(5, await Store.PurgeRawAsync(Start.AddDays(1), 10, default));
        Assert.Equal(0, await Store.PurgeRawAsync(Start.AddDays(1), 10, default));
        Assert.Empty(await Store.ReadRequestsAsync(new RawQuery(), default));
    }

    /// <summary>
    /// Purging rollups deletes every kind of rollup before the cutoff at one granularity, and nothing else.
    /// </summary>
    [Fact]
    public async Task PurgingRollupsDeletesExactlyTheBucketsBeforeTheCutoffOfOneGranularity()
    {
        // One request and one error per hour for three days, and one event per hour.
        var requests = Enumerable.Range(0, 72).Select(h => Request(Start.AddHours(h).AddMinutes(30), status: 500)).ToList();
        await Store.WriteBatchAsync(Batch(requests), default);
        await Store.WriteBatchAsync(Batch(Enumerable.Range(0, 72)
            .Select(h => new EventRecord { Timestamp = Start.AddHours(h), Name = "tick" })), default);

        int deleted = await Store.PurgeRollupsAsync(Granularity.Hour, Start.AddHours(30), 10_000, default);

        Assert.Equal(30 * 3, deleted); // request, error and event rollups of hours 0..29
        var hours = await Store.ReadRequestRollupsAsync(RollupRange(Granularity.Hour, Start, Start.AddDays(3)), default).ToListAsync();
        Assert.Equal(Enumerable.Range(30, 42).Select(h => Start.AddHours(h)), hours.Select(r => r.BucketStart).Order());
        Assert.Equal(42, (await Store.ReadErrorRollupsAsync(RollupRange(Granularity.Hour, Start, Start.AddDays(3)), default).ToListAsync()).Count);
        Assert.Equal(42, (await Store.ReadEventRollupsAsync(RollupRange(Granularity.Hour, Start, Start.AddDays(3)), default).ToListAsync()).Count);

        // Other granularities are untouched.
        Assert.Equal(72, (await Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Minute, Start, Start.AddDays(3)), default).ToListAsync()).Count);
        Assert.Equal(3, (await Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Day, Start, Start.AddDays(3)), default).ToListAsync()).Count);
        Assert.Equal(72, (await Store.ReadRequestsAsync(new RawQuery { Limit = 1_000 }, default)).Count);
    }

    /// <summary>A rollup purge never deletes more rows than asked.</summary>
    [Fact]
    public async Task PurgingRollupsNeverDeletesMoreThanTheChunk()
    {
        await Store.WriteBatchAsync(Batch(Enumerable.Range(0, 30).Select(m => Request(Start.AddMinutes(m)))), default);

        Assert.Equal(20, await Store.PurgeRollupsAsync(Granularity.Minute, Start.AddDays(1), 20, default));
        Assert.Equal(10, await Store.PurgeRollupsAsync(Granularity.Minute, Start.AddDays(1), 20, default));
        Assert.Empty(await Store.ReadRequestRollupsAsync(RollupRange(Granularity.Minute, Start, Start.AddDays(1)), default).ToListAsync());
    }
}
