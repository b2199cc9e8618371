using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The suite of <see cref="StoreCapabilities.Consumers"/> (<see cref="IConsumerRollupStore"/>): per-consumer rollups
/// added up by key across batches, filtered by consumer and release, <c>(other)</c> kept like any consumer, summed per
/// bucket, kind and consumer when a read asks for bucket totals, and purged with the other rollups. Derive a public
/// class from it, for the same factory as <see cref="AnalyticsStoreConformanceTests{TFactory}"/>, when the store
/// declares the capability.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
public abstract class ConsumerStoreConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    private static readonly Granularity[] Granularities = [Granularity.Minute, Granularity.Hour, Granularity.Day];

    private IConsumerRollupStore Consumers => Declared(static c => c.Consumers, nameof(StoreCapabilities.Consumers));

    /// <summary>
    /// Three consumers across two releases and two batches: each consumer's rows add up to its exact counts, errors,
    /// durations and latency sketch at every granularity, and requests that named no consumer are in none of them.
    /// </summary>
    [Fact]
    public async Task PerConsumerRollupsAddUpAcrossBatchesAtEveryGranularity()
    {
        var consumers = Consumers;
        var requests = Traffic(seed: 1);
        await Store.WriteBatchAsync(Batch(requests.Take(1_000)), default);
        await Store.WriteBatchAsync(Batch(requests.Skip(1_000)), default);

        foreach (var granularity in Granularities)
        {
            var rows = await consumers.ReadConsumerRollupsAsync(All(granularity), default).ToListAsync();
            var expected = requests.Where(r => r.Consumer is not null).GroupBy(r => (r.Consumer, r.Release)).ToList();
            Assert.Equal(
                expected.Select(g => (g.Key.Consumer, g.Key.Release, (long)g.Count(), (long)g.Count(r => r.IsError))).Order(),
                rows.GroupBy(r => (r.Consumer, r.Release))
                    .Select(g => (g.Key.Consumer, g.Key.Release, g.Sum(r => r.Count), g.Sum(r => r.Errors))).Order());
            foreach (var group in expected)
            {
                var mine = rows.Where(r => r.Consumer == group.Key.Consumer && r.Release == group.Key.Release).ToList();
                Assert.Equal(group.Sum(r => r.Duration.Ticks / 10), mine.Sum(r => r.DurationSumMicroseconds));
                Assert.Equal(group.Max(r => r.Duration.Ticks / 10), mine.Max(r => r.DurationMaxMicroseconds));
                Assert.Equal(group.Count(), mine.Sum(r => r.Latency!.Count));
            }

            var ordinary = await Store.ReadRequestRollupsAsync(All(granularity), default).ToListAsync();
            Assert.All(ordinary, r => Assert.Null(r.Consumer));
            Assert.Equal(requests.Count, ordinary.Sum(r => r.Count));
        }
    }

    /// <summary>
    /// <see cref="RollupQuery.Consumer"/> and <see cref="RollupQuery.Release"/> read their rows only, alone, together
    /// and with the other filters.
    /// </summary>
    [Fact]
    public async Task ConsumerAndReleaseFiltersReadTheirRowsOnly()
    {
        var consumers = Consumers;
        var requests = Traffic(seed: 2);
        await Store.WriteBatchAsync(Batch(requests), default);

        foreach (var granularity in Granularities)
        {
            async Task<long> Count(RollupQuery query) =>
                (await consumers.ReadConsumerRollupsAsync(query, default).ToListAsync()).Sum(r => r.Count);
            long Expected(Func<RequestRecord, bool> match) => requests.Count(r => r.Consumer is not null && match(r));

            var all = All(granularity);
            Assert.Equal(Expected(r => r.Consumer == "mobile"), await Count(all with { Consumer = "mobile" }));
            Assert.Equal(Expected(r => r.Release == "2.0"), await Count(all with { Release = "2.0" }));
            Assert.Equal(
                Expected(r => r.Consumer == "partner" && r.Release == "1.0" && r.StatusCode >= 500),
                await Count(all with { Consumer = "partner", Release = "1.0", MinStatusCode = 500 }));
            Assert.Equal(Expected(r => r.Consumer == "web" && r.Route == "/orders"), await Count(all with { Consumer = "web", Route = "/orders" }));
            Assert.Equal(0, await Count(all with { Consumer = "nobody" }));
            Assert.Equal(0, await Count(all with { Release = "0.0" }));
        }
    }

    /// <summary>
    /// A bucket's consumers beyond the batch's limit (<see cref="RequestAnalyticsOptions.MaxConsumersPerBucket"/>, 1 000
    /// for a batch made with its public constructor) are stored as <c>(other)</c>, readable by that name, and add up
    /// with the next batch's.
    /// </summary>
    [Fact]
    public async Task OtherIsStoredAndReadLikeAnyConsumer()
    {
        var consumers = Consumers;
        const int Limit = 1_000;
        var overLimit = Enumerable.Range(0, Limit + 2).Select(i => Request(Start.AddSeconds(i % 60)) with { Consumer = $"c{i:D4}" }).ToList();
        await Store.WriteBatchAsync(Batch(overLimit, keepRaw: false), default);
        await Store.WriteBatchAsync(Batch(overLimit, keepRaw: false), default); // a batch of its own: the same first 1 000

        var minute = All(Granularity.Minute);
        var rows = await consumers.ReadConsumerRollupsAsync(minute, default).ToListAsync();
        Assert.Equal(Limit + 1, rows.Count);
        Assert.Equal(4, Assert.Single(rows, r => r.Consumer == "(other)").Count);
        Assert.All(rows.Where(r => r.Consumer != "(other)"), r => Assert.Equal(2, r.Count));
        var other = Assert.Single(await consumers.ReadConsumerRollupsAsync(minute with { Consumer = "(other)" }, default).ToListAsync());
        Assert.Equal(4, other.Count);
    }

    /// <summary>
    /// <see cref="IAnalyticsStore.PurgeRollupsAsync"/> deletes expired per-consumer rollups of its granularity only, in
    /// passes of at most the rows asked for.
    /// </summary>
    [Fact]
    public async Task PurgingRollupsRemovesExpiredConsumerRollupsInBoundedPasses()
    {
        var consumers = Consumers;
        await Store.WriteBatchAsync(Batch(Traffic(seed: 3)), default);
        var before = await consumers.ReadConsumerRollupsAsync(All(Granularity.Minute), default).ToListAsync();
        Assert.True(before.Count > 3, $"{before.Count} minute rows");

        var cutoff = Start.AddDays(2);
        while (await Store.PurgeRollupsAsync(Granularity.Minute, cutoff, 3, default) is var deleted && deleted > 0)
        {
            Assert.InRange(deleted, 1, 3);
        }

        Assert.Empty(await consumers.ReadConsumerRollupsAsync(All(Granularity.Minute), default).ToListAsync());
        Assert.NotEmpty(await consumers.ReadConsumerRollupsAsync(All(Granularity.Hour), default).ToListAsync());
        Assert.NotEmpty(await consumers.ReadConsumerRollupsAsync(All(Granularity.Day), default).ToListAsync());
    }

    /// <summary>
    /// A read asking for <see cref="RollupQuery.BucketTotals"/> may be answered from totals kept per bucket, kind and
    /// consumer: per bucket, kind and consumer it returns the sums and merged latency sketch of the ordinary rows, at
    /// every granularity, over all consumers or one, for one kind; the filters totals cannot answer (route, status,
    /// release) still apply; and after a purge the totals of the purged buckets are gone with their rows.
    /// </summary>
    [Fact]
    public async Task BucketTotalsEqualThePerConsumerRowsSummedPerBucketKindAndConsumer()
    {
        var consumers = Consumers;
        var mine = Traffic(seed: 4);
        var theirs = new[] { BucketTotalsChecks.Traffic(0), BucketTotalsChecks.Traffic(1) }; // WebSockets too, over two days
        await Store.WriteBatchAsync(Batch(mine.Take(1_000)), default);
        await Store.WriteBatchAsync(theirs[0], default);
        await Store.WriteBatchAsync(Batch(mine.Skip(1_000)), default);
        await Store.WriteBatchAsync(theirs[1], default);
        var requests = mine.Concat(theirs.SelectMany(b => b.Requests)).ToList();

        foreach (var granularity in Granularities)
        {
            var range = RollupRange(granularity, Start, Start.AddDays(2));
            Assert.True(await BucketTotalsChecks.AssertConsumerTotalsEqualToRollupsAsync(consumers, range) >= 3);
            Assert.True(await BucketTotalsChecks.AssertConsumerTotalsEqualToRollupsAsync(consumers, range with { Consumer = "web" }) >= 1);
            await BucketTotalsChecks.AssertConsumerTotalsEqualToRollupsAsync(consumers, range with { Kind = RequestKind.WebSocket });
            await BucketTotalsChecks.AssertConsumerTotalsEqualToRollupsAsync(
                consumers, range with { Consumer = "consumer-0", Kind = RequestKind.Http });

            async Task<long> Count(RollupQuery query) =>
                (await consumers.ReadConsumerRollupsAsync(query with { BucketTotals = true }, default).ToListAsync()).Sum(r => r.Count);
            long Expected(Func<RequestRecord, bool> match) => requests.Count(r => r.Consumer is not null && match(r));
            Assert.Equal(Expected(r => r.Route == "/orders"), await Count(range with { Route = "/orders" }));
            Assert.Equal(Expected(r => r.StatusCode >= 500), await Count(range with { MinStatusCode = 500 }));
            Assert.Equal(
                Expected(r => r.Consumer == "partner" && r.Release == "2.0"), await Count(range with { Consumer = "partner", Release = "2.0" }));
            Assert.Equal(0, await Count(range with { Consumer = "nobody" }));
        }

        int deleted;
        do
        {
            deleted = await Store.PurgeRollupsAsync(Granularity.Minute, Start.AddHours(1), 5, default);
        }
        while (deleted > 0);

        var minutes = RollupRange(Granularity.Minute, Start, Start.AddDays(2));
        var kept = await consumers.ReadConsumerRollupsAsync(minutes with { BucketTotals = true }, default).ToListAsync();
        Assert.NotEmpty(kept);
        Assert.All(kept, r => Assert.True(r.BucketStart >= Start.AddHours(1), $"a total of {r.BucketStart:O} outlived its purge"));
        await BucketTotalsChecks.AssertConsumerTotalsEqualToRollupsAsync(consumers, minutes);
    }

    private static RollupQuery All(Granularity granularity) => RollupRange(granularity, Start, Start.AddDays(1), includeSketches: true);

    // Two hours of traffic from three consumers and from callers that named none, served by two releases.
    private static List<RequestRecord> Traffic(int seed)
    {
        var random = new Random(seed);
        string?[] consumers = ["mobile", "web", "partner", null];
        string[] releases = ["1.0", "2.0"];
        string[] routes = ["/items/{id}", "/orders"];
        return
        [
            .. Enumerable.Range(0, 2_000).Select(i => Request(
                    Start.AddSeconds(random.Next(0, 2 * 3600)),
                    route: routes[random.Next(routes.Length)],
                    status: random.Next(10) == 0 ? 503 : 200,
                    milliseconds: random.Next(1, 500)) with
            {
                Consumer = consumers[random.Next(consumers.Length)],
                Release = releases[i < 1_200 ? 0 : 1],
            }),
        ];
    }
}
