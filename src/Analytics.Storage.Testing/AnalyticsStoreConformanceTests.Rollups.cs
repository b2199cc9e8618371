using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// Rollups: read back at every granularity, added to by later batches with sketches merged exactly, filtered by every
/// key and the bucket range, and kept for requests not kept raw; event and error rollups with their own fields.
/// </summary>
public abstract partial class AnalyticsStoreConformanceTests<TFactory>
{
    /// <summary>
    /// A batch's rollups read back at minute, hour and day granularity with the same totals and sketches.
    /// </summary>
    [Fact]
    public async Task RollupsAreReadBackAtEveryGranularity()
    {
        // Two minutes of one hour: two minute rows, one hour row, one day row, all with the same totals.
        await Store.WriteBatchAsync(Batch([
            Request(Start.AddSeconds(10), milliseconds: 5, requestBytes: 10, responseBytes: 100),
            Request(Start.AddSeconds(20), milliseconds: 15, requestBytes: 20, responseBytes: 200),
            Request(Start.AddSeconds(70), milliseconds: 40, requestBytes: 30, responseBytes: 300),
        ]), default);

        var minutes = await Store.ReadRequestRollupsAsync(RollupRange(Granularity.Minute, Start, Start.AddDays(1)), default).ToListAsync();
        Assert.Equal([(Start, 2L), (Start.AddMinutes(1), 1L)], minutes.OrderBy(m => m.BucketStart).Select(m => (m.BucketStart, m.Count)));

        foreach (var granularity in new[] { Granularity.Hour, Granularity.Day })
        {
            var row = Assert.Single(await Store.ReadRequestRollupsAsync(
                RollupRange(granularity, Start, Start.AddDays(1), includeSketches: true), default).ToListAsync());
            Assert.Equal(granularity, row.Granularity);
            Assert.Equal(Start, row.BucketStart);
            Assert.Equal(("/items/{id}", "GET", 3L), (row.Route, row.Method, row.Count));
            Assert.Equal(60_000L, row.DurationSumMicroseconds);
            Assert.Equal(5_000L, row.DurationMinMicroseconds);
            Assert.Equal(40_000L, row.DurationMaxMicroseconds);
            Assert.Equal((60L, 600L), (row.RequestBytes, row.ResponseBytes));
            Assert.Equal(3, row.Latency!.Count);
        }
    }

    /// <summary>
    /// A later batch adds to the stored rollups with the same key, and the stored sketch equals one built from every
    /// duration.
    /// </summary>
    [Fact]
    public async Task ASecondBatchIsAddedToTheStoredRollupsAndSketchesMergeExactly()
    {
        var first = Enumerable.Range(1, 500)
            .Select(i => Request(Start.AddMilliseconds(i), milliseconds: i, status: i % 10 == 0 ? 500 : 200))
            .ToList();
        var second = Enumerable.Range(501, 500)
            .Select(i => Request(Start.AddMilliseconds(i), milliseconds: i, status: i % 10 == 0 ? 500 : 200))
            .ToList();
        await Store.WriteBatchAsync(Batch(first.Where(r => r.StatusCode == 200)), default);
        await Store.WriteBatchAsync(Batch(first.Where(r => r.StatusCode == 500)), default);
        await Store.WriteBatchAsync(Batch(second), default);

        var rows = await Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Minute, Start, Start.AddMinutes(1), includeSketches: true), default).ToListAsync();

        var ok = Assert.Single(rows, r => r.StatusCode == 200);
        var failed = Assert.Single(rows, r => r.StatusCode == 500);
        Assert.Equal((900L, 0L), (ok.Count, ok.Errors));
        Assert.Equal((100L, 100L), (failed.Count, failed.Errors));
        Assert.Equal((1_000L, 999_000L), (ok.DurationMinMicroseconds, ok.DurationMaxMicroseconds));

        var direct = new LatencySketch();
        foreach (var r in first.Concat(second).Where(r => r.StatusCode == 200))
        {
            direct.Add(r.Duration.Ticks / 10.0);
        }

        Assert.Equal(direct.ToBytes().Length, ok.Latency!.ToBytes().Length);
        foreach (var q in new[] { 0.0, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0 })
        {
            Assert.Equal(direct.GetQuantile(q), ok.Latency.GetQuantile(q));
        }
    }

    /// <summary>Rollup reads apply every filter of <see cref="RollupQuery"/> and its range of bucket starts.</summary>
    [Fact]
    public async Task RollupReadsApplyEveryFilterAndTheBucketRange()
    {
        await Store.WriteBatchAsync(Batch([.. FilterTraffic(), Request(Start.AddMinutes(1), route: "/a")]), default);

        async Task<long> Count(RollupQuery query) => (await Store.ReadRequestRollupsAsync(query, default).ToListAsync()).Sum(r => r.Count);
        var all = RollupRange(Granularity.Minute, Start, Start.AddMinutes(2));

        Assert.Equal(5, await Count(all));
        Assert.Equal(3, await Count(all with { Route = "/a" }));
        Assert.Equal(4, await Count(all with { Method = "GET" }));
        Assert.Equal(2, await Count(all with { MinStatusCode = 400, MaxStatusCode = 599 }));
        Assert.Equal(1, await Count(all with { MinStatusCode = 201, MaxStatusCode = 201 }));
        Assert.Equal(1, await Count(all with { MaxStatusCode = 200, Route = "/a", From = Start.AddMinutes(1) }));
        Assert.Equal(2, await Count(all with { Environment = "prod" }));
        Assert.Equal(2, await Count(all with { Instance = "web-1" }));
        Assert.Equal(4, await Count(all with { To = Start.AddMinutes(1) }));
        Assert.Equal(1, await Count(all with { From = Start.AddMinutes(1) }));
        Assert.Equal(0, await Count(all with { From = Start.AddMinutes(2), To = Start.AddMinutes(3) }));
        Assert.Equal(5, await Count(all with { Granularity = Granularity.Hour, To = Start.AddHours(1) }));
        Assert.Equal(0, await Count(all with { Granularity = Granularity.Hour, From = Start.AddHours(1), To = Start.AddHours(2) }));
    }

    /// <summary>
    /// A missing environment and instance are a key of their own and read back as <see langword="null"/>.
    /// </summary>
    [Fact]
    public async Task AMissingEnvironmentIsItsOwnKeyAndReadsBackAsNull()
    {
        await Store.WriteBatchAsync(Batch([Request(Start), Request(Start, environment: "prod", instance: "web-1")]), default);
        await Store.WriteBatchAsync(Batch([Request(Start)]), default);

        var rows = await Store.ReadRequestRollupsAsync(RollupRange(Granularity.Minute, Start, Start.AddMinutes(1)), default).ToListAsync();

        Assert.Equal(2, rows.Count);
        var bare = Assert.Single(rows, r => r.Environment is null);
        Assert.Null(bare.Instance);
        Assert.Equal(2, bare.Count);
        Assert.Equal(1, Assert.Single(rows, r => r.Environment == "prod" && r.Instance == "web-1").Count);
    }

    /// <summary>Latency sketches are read only when <see cref="RollupQuery.IncludeSketches"/> asks for them.</summary>
    [Fact]
    public async Task SketchesAreReadOnlyWhenAsked()
    {
        await Store.WriteBatchAsync(Batch([Request(Start)]), default);

        Assert.Null(Assert.Single(await Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Minute, Start, Start.AddMinutes(1)),
            default).ToListAsync()).Latency);
        Assert.NotNull(Assert.Single(await Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Minute, Start, Start.AddMinutes(1), includeSketches: true),
            default).ToListAsync()).Latency);
    }

    /// <summary>Requests not kept as raw rows are still counted in the rollups.</summary>
    [Fact]
    public async Task RequestsNotKeptRawAreStillRolledUp()
    {
        await Store.WriteBatchAsync(Batch(Enumerable.Range(0, 10).Select(i => Request(Start.AddSeconds(i))), keepRaw: false), default);

        Assert.Empty(await Store.ReadRequestsAsync(new RawQuery(), default));
        Assert.Equal(10, Assert.Single(await Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Day, Start, Start.AddDays(1)), default).ToListAsync()).Count);
    }

    /// <summary>
    /// Event rollups count outcomes and merge duration sketches across batches, at every granularity.
    /// </summary>
    [Fact]
    public async Task EventRollupsCountOutcomesAndMergeDurations()
    {
        await Store.WriteBatchAsync(Batch([
            new EventRecord { Timestamp = Start, Name = "deploy", Success = true, Duration = TimeSpan.FromSeconds(60) },
            new EventRecord { Timestamp = Start.AddSeconds(1), Name = "deploy", Success = false },
            new EventRecord { Timestamp = Start.AddSeconds(2), Name = "signup" },
        ]), default);
        await Store.WriteBatchAsync(Batch([
            new EventRecord { Timestamp = Start.AddSeconds(3), Name = "deploy", Success = true, Duration = TimeSpan.FromSeconds(120) },
            new EventRecord { Timestamp = Start.AddSeconds(4), Name = "signup", Duration = TimeSpan.FromSeconds(1) },
        ]), default);

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var rows = await Store.ReadEventRollupsAsync(
                RollupRange(granularity, Start, Start.AddDays(1), includeSketches: true), default).ToListAsync();
            var deploy = Assert.Single(rows, r => r.Name == "deploy");
            Assert.Equal((3L, 2L, 1L), (deploy.Count, deploy.Successes, deploy.Failures));
            Assert.Equal(2, deploy.Duration!.Count);
            Assert.Equal(120_000_000, deploy.Duration.Max);

            // The first signup carried no duration; the stored NULL sketch takes the second one's.
            var signup = Assert.Single(rows, r => r.Name == "signup");
            Assert.Equal((2L, 0L, 0L), (signup.Count, signup.Successes, signup.Failures));
            Assert.Equal(1, signup.Duration!.Count);
        }

        var filtered = await Store.ReadEventRollupsAsync(
            RollupRange(Granularity.Minute, Start, Start.AddDays(1)) with { EventName = "signup" }, default).ToListAsync();
        Assert.Null(Assert.Single(filtered).Duration);
    }

    /// <summary>An event rollup whose events carried no duration has no sketch.</summary>
    [Fact]
    public async Task AnEventWithoutDurationsHasNoSketch()
    {
        await Store.WriteBatchAsync(Batch([new EventRecord { Timestamp = Start, Name = "signup" }]), default);

        var row = Assert.Single(await Store.ReadEventRollupsAsync(
            RollupRange(Granularity.Hour, Start, Start.AddHours(1), includeSketches: true), default).ToListAsync());
        Assert.Null(row.Duration);
    }

    /// <summary>
    /// Error rollups keep the first and last occurrence and the latest message across batches, whatever the order.
    /// </summary>
    [Fact]
    public async Task ErrorRollupsKeepFirstAndLastSeenAndTheLatestMessage()
    {
        await Store.WriteBatchAsync(Batch([
            Request(Start.AddSeconds(30), status: 500, exceptionType: "System.TimeoutException", exceptionMessage: "second"),
            Request(Start.AddSeconds(10), status: 500, exceptionType: "System.TimeoutException", exceptionMessage: "first"),
            Request(Start.AddSeconds(20), status: 503),
            Request(Start.AddSeconds(25), status: 404),
        ]), default);
        await Store.WriteBatchAsync(Batch([
            Request(Start.AddSeconds(5), status: 500, exceptionType: "System.TimeoutException", exceptionMessage: "earliest"),
            Request(Start.AddSeconds(50), status: 500, exceptionType: "System.TimeoutException", exceptionMessage: "latest"),
        ]), default);

        var rows = await Store.ReadErrorRollupsAsync(RollupRange(Granularity.Minute, Start, Start.AddMinutes(1)), default).ToListAsync();

        Assert.Equal(2, rows.Count);
        var timeouts = Assert.Single(rows, r => r.ExceptionType == "System.TimeoutException");
        Assert.Equal(
            (4L, Start.AddSeconds(5), Start.AddSeconds(50), "latest"),
            (timeouts.Count, timeouts.FirstSeen, timeouts.LastSeen, timeouts.LastMessage));
        var plain = Assert.Single(rows, r => r.ExceptionType is null);
        Assert.Equal((503, 1L, (string?)null), (plain.StatusCode, plain.Count, plain.LastMessage));
    }
}
