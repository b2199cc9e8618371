using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// Consumers and releases as every store keeps them: on raw rows (a store without
/// <see cref="StoreCapabilities.Consumers"/> keeps consumers there only), the release in the request rollup key, and the
/// distinct-consumer sketch beside each request rollup.
/// </summary>
public abstract partial class AnalyticsStoreConformanceTests<TFactory>
{
    /// <summary>Raw requests and events keep their consumer and release, and raw reads filter by both.</summary>
    [Fact]
    public async Task RawRowsKeepTheirConsumerAndReleaseAndFilterByThem()
    {
        var batch = Batch(
        [
            Request(Start) with { Consumer = "mobile", Release = "1.0" },
            Request(Start.AddSeconds(1)) with { Consumer = "web", Release = "2.0" },
            Request(Start.AddSeconds(2)),
        ]);
        batch.AddEvent(new EventRecord { Timestamp = Start, Name = "deployment", Consumer = "ci", Release = "2.0" });
        batch.AddEvent(new EventRecord { Timestamp = Start.AddSeconds(1), Name = "deployment" });
        await Store.WriteBatchAsync(batch, default);

        var requests = await Store.ReadRequestsAsync(new RawQuery(), default);
        Assert.Equal(
            [(null, null), ("web", "2.0"), ("mobile", "1.0")],
            requests.Select(r => (r.Request.Consumer, r.Request.Release)));
        Assert.Equal("mobile", Assert.Single(await Store.ReadRequestsAsync(new RawQuery { Consumer = "mobile" }, default)).Request.Consumer);
        Assert.Equal("web", Assert.Single(await Store.ReadRequestsAsync(new RawQuery { Release = "2.0" }, default)).Request.Consumer);
        Assert.Empty(await Store.ReadRequestsAsync(new RawQuery { Consumer = "mobile", Release = "2.0" }, default));

        var events = await Store.ReadEventsAsync(new RawQuery(), default);
        Assert.Equal([(null, null), ("ci", "2.0")], events.Select(e => (e.Event.Consumer, e.Event.Release)));
        Assert.Equal("ci", Assert.Single(await Store.ReadEventsAsync(new RawQuery { Consumer = "ci" }, default)).Event.Consumer);
        Assert.Single(await Store.ReadEventsAsync(new RawQuery { Release = "2.0" }, default));
    }

    /// <summary>
    /// Two releases of one route, method and status are two rows, and rows of no release a third; a later batch adds to
    /// each release's own rows, and <see cref="RollupQuery.Release"/> reads one release's rows only.
    /// </summary>
    [Fact]
    public async Task ReleasesKeepRequestRollupRowsApartAndFilterThem()
    {
        RequestRecord[] Traffic(int second) =>
        [
            Request(Start.AddSeconds(second), milliseconds: 2) with { Release = "1.0" },
            Request(Start.AddSeconds(second + 1), milliseconds: 4) with { Release = "2.0" },
            Request(Start.AddSeconds(second + 2), milliseconds: 8) with { Release = "2.0" },
            Request(Start.AddSeconds(second + 3), milliseconds: 16),
        ];
        await Store.WriteBatchAsync(Batch(Traffic(0)), default);
        await Store.WriteBatchAsync(Batch(Traffic(10)), default);

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var all = RollupRange(granularity, Start, Start.AddDays(1), includeSketches: true);
            var rows = await Store.ReadRequestRollupsAsync(all, default).ToListAsync();
            Assert.Equal(
                [(null, 2L, 32_000L), ("1.0", 2L, 4_000L), ("2.0", 4L, 24_000L)],
                rows.Select(r => (r.Release, r.Count, r.DurationSumMicroseconds)).OrderBy(r => r.Release, StringComparer.Ordinal));
            Assert.All(rows, r => Assert.Equal(r.Count, r.Latency!.Count));
            var release = Assert.Single(await Store.ReadRequestRollupsAsync(all with { Release = "2.0" }, default).ToListAsync());
            Assert.Equal(("2.0", 4L), (release.Release, release.Count));
            Assert.Empty(await Store.ReadRequestRollupsAsync(all with { Release = "0.0" }, default).ToListAsync());
            if (Store.Capabilities?.RequestCounts is { } counts)
            {
                Assert.Equal(4L, (await counts.ReadRequestCountsByBucketAsync(all with { Release = "2.0" }, default).ToListAsync()).Sum(b => b.Count));
                Assert.Equal(
                    [(200, 2L)],
                    (await counts.ReadRequestCountsByStatusAsync(all with { Release = "1.0" }, default).ToListAsync()).Select(s => (s.StatusCode, s.Count)));
            }
        }
    }

    /// <summary>
    /// Each request rollup row keeps the distinct consumers of its requests (<see cref="RequestRollup.Consumers"/>),
    /// merged across batches, read with <see cref="RollupQuery.IncludeCardinality"/> only.
    /// </summary>
    [Fact]
    public async Task RequestRollupsKeepTheirDistinctConsumers()
    {
        RequestRecord[] Traffic(int first) =>
            [.. Enumerable.Range(first, 30).Select(i => Request(Start.AddSeconds(i % 60)) with { Consumer = $"consumer-{i}" })];
        await Store.WriteBatchAsync(Batch(Traffic(0)), default);
        await Store.WriteBatchAsync(Batch(Traffic(20)), default); // 10 seen before, 20 new
        await Store.WriteBatchAsync(Batch([Request(Start.AddMinutes(1))]), default); // a row no consumer called

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var all = RollupRange(granularity, Start, Start.AddDays(1));
            var expected = new CardinalitySketch();
            foreach (var i in Enumerable.Range(0, 50))
            {
                expected.Add($"consumer-{i}");
            }

            var rows = await Store.ReadRequestRollupsAsync(all with { IncludeCardinality = true }, default).ToListAsync();
            var called = rows.Single(r => r.BucketStart == Start);
            Assert.Equal(expected.Estimate(), called.Consumers!.Estimate());
            if (granularity == Granularity.Minute)
            {
                Assert.Null(rows.Single(r => r.BucketStart == Start.AddMinutes(1)).Consumers);
            }

            Assert.All(await Store.ReadRequestRollupsAsync(all, default).ToListAsync(), r => Assert.Null(r.Consumers));
        }
    }
}
