using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// Every behaviour an <see cref="IAnalyticsStore"/> promises, written once: raw rows and their pages, rollups and their
/// sketches, request kinds, distinct users, retention, and the public queries (<see cref="IAnalyticsQueries"/>) over
/// the store. A store's test project derives a public class from this one for its <typeparamref name="TFactory"/>, and
/// one from the suite of each capability its <see cref="IAnalyticsStore.Capabilities"/> declare
/// (<see cref="ErrorStoreConformanceTests{TFactory}"/>, <see cref="AlertStoreConformanceTests{TFactory}"/>,
/// <see cref="WebhookStoreConformanceTests{TFactory}"/>, <see cref="HealthMetricsStoreConformanceTests{TFactory}"/>,
/// <see cref="RequestCountStoreConformanceTests{TFactory}"/>): a test here fails when a declared capability's suite is
/// not derived in the same assembly for the same factory, or a derived one is not declared.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
/// <example>
/// <code>
/// public sealed class MyStoreConformanceTests : AnalyticsStoreConformanceTests&lt;MyStoreFactory&gt;;
/// public sealed class MyErrorStoreConformanceTests : ErrorStoreConformanceTests&lt;MyStoreFactory&gt;;
/// </code>
/// </example>
public abstract partial class AnalyticsStoreConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    // ---- raw rows -------------------------------------------------------------------------------------------------

    /// <summary>Every field of a request reads back exactly as it was written.</summary>
    [Fact]
    public async Task EveryFieldOfARequestRoundTrips()
    {
        var request = new RequestRecord
        {
            Timestamp = new DateTimeOffset(2026, 11, 21, 10, 30, 15, TimeSpan.Zero).AddTicks(1_234_560),
            Method = "POST",
            Route = "/orders/{id}",
            Path = "/orders/7?x=ü",
            StatusCode = 503,
            Duration = TimeSpan.FromMicroseconds(12_345),
            RequestBytes = 321,
            ResponseBytes = 654,
            ClientIp = "10.1.2.0",
            UserAgent = "curl/8.5.0 \"quoted\" 🚀",
            Protocol = "HTTP/2",
            Kind = RequestKind.Grpc,
            TraceId = "0af7651916cd43dd8448eb211c80319c",
            UserId = "alice",
            Environment = "Production",
            Instance = "web-1",
            ExceptionType = "System.InvalidOperationException",
            ExceptionMessage = "boom; DROP TABLE requests; --",
            StackTrace = "System.InvalidOperationException\n   at Shop.Orders.Checkout(Int32 id) in /src/Orders.cs:line 42\n",
            ErrorFingerprint = "0123456789abcdef",
        };

        await Store.WriteBatchAsync(Batch([request]), default);
        var stored = Assert.Single(await Store.ReadRequestsAsync(new RawQuery(), default));

        Assert.Equal(request, stored.Request);
    }

    /// <summary>Fields written as <see langword="null"/> read back as <see langword="null"/>.</summary>
    [Fact]
    public async Task NullableFieldsRoundTripAsNull()
    {
        var request = Request(Start);

        await Store.WriteBatchAsync(Batch([request]), default);
        var stored = Assert.Single(await Store.ReadRequestsAsync(new RawQuery(), default));

        Assert.Equal(request, stored.Request);
        Assert.Null(stored.Request.ClientIp);
        Assert.Null(stored.Request.Environment);
    }

    /// <summary>
    /// Empty strings stay empty (not <see langword="null"/>), and any Unicode, control characters and long text read
    /// back exactly.
    /// </summary>
    [Fact]
    public async Task EmptyStringsStayEmptyAndAnyUnicodeRoundTripsExactly()
    {
        var request = Request(Start) with
        {
            Method = "",
            Path = "",
            UserAgent = "",
            ClientIp = "",
            UserId = "日本語 ünïcödé 👩‍💻 \u0001 tab\t",
            ExceptionMessage = "line 1\nline 2\r\n\"quotes\" 'apostrophes' \\ backslash",
            Environment = new string('x', 4_000),
        };

        await Store.WriteBatchAsync(Batch([request]), default);
        var stored = Assert.Single(await Store.ReadRequestsAsync(new RawQuery(), default));

        Assert.Equal(request, stored.Request);
        Assert.Equal("", stored.Request.Path); // empty, not NULL
        Assert.Equal("", stored.Request.UserAgent);
    }

    /// <summary>Custom events read back exactly, with and without their optional fields, newest first.</summary>
    [Fact]
    public async Task EventsRoundTripWithAndWithoutOptionalFields()
    {
        var full = new EventRecord
        {
            Timestamp = Start,
            Name = "deployment",
            UserId = "ci",
            Duration = TimeSpan.FromSeconds(95),
            Success = false,
            PropertiesJson = "{\"version\":\"1.2.3\"}",
            Environment = "Production",
            Instance = "web-1",
        };
        var bare = new EventRecord { Timestamp = Start.AddMinutes(1), Name = "signup" };

        await Store.WriteBatchAsync(Batch([full, bare]), default);
        var stored = await Store.ReadEventsAsync(new RawQuery(), default);

        Assert.Equal([bare, full], stored.Select(s => s.Event));
    }

    /// <summary>
    /// Raw pages are newest first by timestamp, not by insertion order, and following <see cref="RawQuery.Before"/>
    /// visits every row once.
    /// </summary>
    [Fact]
    public async Task PagesAreNewestFirstByTimeAndTheKeysetWalksEveryRowOnce()
    {
        // Two batches whose times interleave: "newest first" is by timestamp, not by insertion order.
        var times = Enumerable.Range(0, 250).Select(i => Start.AddSeconds(i)).ToArray();
        await Store.WriteBatchAsync(Batch(times.Where((_, i) => i % 2 == 1).Select(t => Request(t))), default);
        await Store.WriteBatchAsync(Batch(times.Where((_, i) => i % 2 == 0).Select(t => Request(t))), default);

        var seen = new List<DateTimeOffset>();
        long? before = null;
        while (true)
        {
            var page = await Store.ReadRequestsAsync(new RawQuery { Limit = 100, Before = before }, default);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(page.Select(p => p.Request.Timestamp));
            before = page[^1].Id;
        }

        Assert.Equal(times.Reverse(), seen);
    }

    /// <summary>Rows with one timestamp are paged by id, none lost or repeated.</summary>
    [Fact]
    public async Task RowsWithTheSameTimestampArePagedWithoutLossOrRepeat()
    {
        await Store.WriteBatchAsync(Batch(Enumerable.Range(0, 7).Select(i => Request(Start, route: $"/r{i}"))), default);

        var first = await Store.ReadRequestsAsync(new RawQuery { Limit = 4 }, default);
        var second = await Store.ReadRequestsAsync(new RawQuery { Limit = 4, Before = first[^1].Id }, default);

        Assert.Equal(7, first.Concat(second).Select(r => r.Id).Distinct().Count());
        Assert.Equal(3, second.Count);
    }

    /// <summary>
    /// A raw read's range includes <see cref="RawQuery.From"/> and excludes <see cref="RawQuery.To"/>.
    /// </summary>
    [Fact]
    public async Task TheRawTimeRangeIsFromInclusiveToExclusive()
    {
        await Store.WriteBatchAsync(Batch(Enumerable.Range(0, 10).Select(i => Request(Start.AddSeconds(i)))), default);

        var page = await Store.ReadRequestsAsync(new RawQuery { From = Start.AddSeconds(3), To = Start.AddSeconds(6) }, default);

        Assert.Equal([Start.AddSeconds(5), Start.AddSeconds(4), Start.AddSeconds(3)], page.Select(p => p.Request.Timestamp));
    }

    /// <summary>Each raw filter matches exactly (case included), alone and combined.</summary>
    [Fact]
    public async Task RawFiltersMatchExactly()
    {
        await Store.WriteBatchAsync(Batch([
            Request(Start, route: "/a", method: "GET", status: 200, environment: "prod", instance: "web-1"),
            Request(Start, route: "/a", method: "POST", status: 201, environment: "prod", instance: "web-2"),
            Request(Start, route: "/b", method: "GET", status: 404, environment: "staging", instance: "web-1"),
            Request(Start, route: "/b", method: "GET", status: 503),
        ]), default);

        async Task<int> Count(RawQuery query) => (await Store.ReadRequestsAsync(query, default)).Count;

        Assert.Equal(2, await Count(new RawQuery { Route = "/a" }));
        Assert.Equal(3, await Count(new RawQuery { Method = "GET" }));
        Assert.Equal(2, await Count(new RawQuery { MinStatusCode = 400, MaxStatusCode = 599 }));
        Assert.Equal(1, await Count(new RawQuery { MinStatusCode = 201, MaxStatusCode = 201 }));
        Assert.Equal(2, await Count(new RawQuery { Environment = "prod" }));
        Assert.Equal(2, await Count(new RawQuery { Instance = "web-1" }));
        Assert.Equal(1, await Count(new RawQuery { Route = "/b", Instance = "web-1" }));
        Assert.Equal(0, await Count(new RawQuery { Route = "/A" }));
    }

    /// <summary>Raw events filter by name.</summary>
    [Fact]
    public async Task RawEventsFilterByName()
    {
        await Store.WriteBatchAsync(Batch([
            new EventRecord { Timestamp = Start, Name = "deploy" },
            new EventRecord { Timestamp = Start, Name = "signup" },
            new EventRecord { Timestamp = Start.AddSeconds(1), Name = "deploy" },
        ]), default);

        var page = await Store.ReadEventsAsync(new RawQuery { EventName = "deploy" }, default);

        Assert.Equal(2, page.Count);
        Assert.All(page, e => Assert.Equal("deploy", e.Event.Name));
    }

    /// <summary>A raw limit outside 1 to 10 000 is refused with an <see cref="ArgumentException"/>.</summary>
    /// <param name="limit">The refused limit.</param>
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_001)]
    public async Task AnOutOfRangeRawLimitIsRefused(int limit)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.ReadRequestsAsync(new RawQuery { Limit = limit }, default));
    }

    // ---- rollups --------------------------------------------------------------------------------------------------

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
        await Store.WriteBatchAsync(Batch([
            Request(Start, route: "/a", method: "GET", status: 200, environment: "prod", instance: "web-1"),
            Request(Start, route: "/a", method: "POST", status: 201, environment: "prod", instance: "web-2"),
            Request(Start, route: "/b", method: "GET", status: 404, environment: "staging", instance: "web-1"),
            Request(Start, route: "/b", method: "GET", status: 503),
            Request(Start.AddMinutes(1), route: "/a"),
        ]), default);

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

    // ---- retention ------------------------------------------------------------------------------------------------

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

    // ---- the public queries over this store -----------------------------------------------------------------------

    /// <summary>
    /// Percentiles read through the queries are within 1 % of the exact ones at every granularity, for several
    /// distributions.
    /// </summary>
    /// <param name="distribution">The latency distribution.</param>
    [Theory]
    [InlineData("uniform")]
    [InlineData("log-normal")]
    [InlineData("bimodal")]
    [InlineData("pareto")]
    public async Task PercentilesAreWithinOnePercentAtEveryGranularity(string distribution)
    {
        // 100 000 latencies spread over two days (crossing a day boundary), written in batches of 2 000 as the writer would.
        const int count = 100_000;
        var random = new Random(distribution.Length); // fixed per distribution, so a failure reproduces
        var from = Start.AddHours(12);
        var ticks = new long[count];
        for (int i = 0; i < count; i++)
        {
            // Whole microseconds, as the middleware records them.
            ticks[i] = Math.Max(1, (long)(Sample(distribution, random) * 1_000)) * TimeSpan.TicksPerMicrosecond;
        }

        foreach (var chunk in Enumerable.Range(0, count).Chunk(2_000))
        {
            await Store.WriteBatchAsync(
                Batch(
                    chunk.Select(i =>
                        Request(from.AddSeconds(i * 1.7), milliseconds: ticks[i] / (double)TimeSpan.TicksPerMillisecond)),
                    keepRaw: false),
                default);
        }

        var sorted = ticks.Select(t => t / (double)TimeSpan.TicksPerMillisecond).Order().ToArray();
        var queries = Queries(from.AddDays(3));
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var overview = await queries.GetOverviewAsync(
                new AnalyticsQuery { From = Start, To = Start.AddDays(3), Granularity = granularity }, default);
            Assert.Equal(count, overview.TotalRequests);
            foreach (var (q, actual) in new[] { (0.50, overview.Latency.P50), (0.95, overview.Latency.P95), (0.99, overview.Latency.P99) })
            {
                double exact = ExactQuantile(sorted, q);
                Assert.True(Math.Abs(actual - exact) <= exact * 0.01, $"{distribution} p{q * 100} at {granularity}: {actual} ms vs exact {exact} ms");
            }

            Assert.Equal(sorted[^1], overview.Latency.Max, 3);
            Assert.Equal(sorted.Average(), overview.Latency.Avg, 3);
        }
    }

    /// <summary>
    /// A range that crosses hour and day boundaries has the same totals, and the same latency, at every granularity.
    /// </summary>
    [Fact]
    public async Task ARangeCrossingHourAndDayBoundariesHasTheSameTotalsAtEveryGranularity()
    {
        // Traffic from 22:00 on day 1 to 02:00 on day 3, every 37 s, with errors and bytes.
        var requests = new List<RequestRecord>();
        var start = Start.AddHours(22);
        for (int i = 0; start.AddSeconds(i * 37) < Start.AddDays(2).AddHours(2); i++)
        {
            requests.Add(Request(
                start.AddSeconds(i * 37),
                route: i % 3 == 0 ? "/a" : "/b",
                status: i % 11 == 0 ? 500 : 200,
                milliseconds: 1 + (i % 97),
                requestBytes: i % 5,
                responseBytes: i % 7));
        }

        await Store.WriteBatchAsync(Batch(requests), default);
        var queries = Queries(Start.AddDays(4));

        // Day-aligned, so every granularity covers exactly the same instants.
        var range = new AnalyticsQuery { From = Start, To = Start.AddDays(3) };
        var overviews = new List<AnalyticsOverview>();
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var overview = await queries.GetOverviewAsync(range with { Granularity = granularity }, default);
            var series = await queries.GetTimeSeriesAsync(range with { Granularity = granularity }, default);
            var routes = await queries.GetRoutesAsync(range with { Granularity = granularity }, default);
            Assert.Equal(overview.TotalRequests, series.Points.Sum(p => p.Count));
            Assert.Equal(overview.ErrorRequests, series.Points.Sum(p => p.Errors));
            Assert.Equal(overview.TotalRequests, routes.Sum(r => r.Count));
            overviews.Add(overview);
        }

        Assert.All(overviews, o =>
        {
            Assert.Equal(requests.Count, o.TotalRequests);
            Assert.Equal(requests.Count(r => r.IsError), o.ErrorRequests);
            Assert.Equal(requests.Sum(r => r.RequestBytes), o.BytesIn);
            Assert.Equal(requests.Sum(r => r.ResponseBytes), o.BytesOut);
            Assert.Equal(overviews[0].Latency, o.Latency);
        });

        // Hour-aligned across midnight: minutes and hours agree too.
        var midnight = new AnalyticsQuery { From = Start.AddHours(23), To = Start.AddHours(26) };
        var byMinute = await queries.GetOverviewAsync(midnight with { Granularity = Granularity.Minute }, default);
        var byHour = await queries.GetOverviewAsync(midnight with { Granularity = Granularity.Hour }, default);
        Assert.Equal(requests.Count(r => r.Timestamp >= midnight.From && r.Timestamp < midnight.To), byMinute.TotalRequests);
        Assert.Equal(byMinute, byHour);
    }

    /// <summary>
    /// Every query (overview, time series, routes, status codes, errors, heatmap, filters, request log) equals what the
    /// written requests say.
    /// </summary>
    [Fact]
    public async Task EveryQueryEqualsTheGroundTruth()
    {
        var random = new Random(7);
        string[] routes = ["/", "/items/{id}", "/users/{userId}/orders/{orderId}", "(unmatched)"];
        string[] methods = ["GET", "POST"];
        int[] statuses = [200, 200, 200, 201, 404, 500, 503];
        var requests = new List<RequestRecord>();
        for (int i = 0; i < 3_000; i++)
        {
            int status = statuses[random.Next(statuses.Length)];
            requests.Add(Request(
                Start.AddHours(1).AddSeconds(random.Next(0, 3 * 3600)),
                route: routes[random.Next(routes.Length)],
                method: methods[random.Next(methods.Length)],
                status: status,
                milliseconds: random.Next(1, 500),
                exceptionType: status == 500 && random.Next(2) == 0 ? "System.InvalidOperationException" : null,
                exceptionMessage: "message",
                environment: "prod",
                instance: i % 2 == 0 ? "web-1" : "web-2"));
        }

        foreach (var chunk in requests.Chunk(700))
        {
            await Store.WriteBatchAsync(Batch(chunk), default);
        }

        var queries = Queries(Start.AddHours(5));
        var range = new AnalyticsQuery { From = Start.AddHours(1), To = Start.AddHours(4) };

        var overview = await queries.GetOverviewAsync(range, default);
        Assert.Equal(requests.Count, overview.TotalRequests);
        Assert.Equal(requests.Count(r => r.IsError), overview.ErrorRequests);
        Assert.Equal((double)requests.Count(r => r.IsError) / requests.Count, overview.ErrorRate, 12);
        Assert.Equal(requests.Count / 180.0, overview.RequestsPerMinute, 9);
        Assert.Equal(requests.Max(r => r.Duration.TotalMilliseconds), overview.Latency.Max);

        var series = await queries.GetTimeSeriesAsync(range, default);
        Assert.Equal(Granularity.Minute, series.Granularity);
        Assert.Equal(180, series.Points.Count);
        Assert.Equal(Enumerable.Range(0, 180).Select(m => range.From.AddMinutes(m)), series.Points.Select(p => p.Time));
        var perMinute = requests.GroupBy(r => FloorToMinute(r.Timestamp)).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.All(series.Points, p => Assert.Equal(perMinute.GetValueOrDefault(p.Time), p.Count));

        var routeStats = await queries.GetRoutesAsync(range with { Limit = 100 }, default);
        var expectedRoutes = requests
            .GroupBy(r => (r.Route, r.Method))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Errors: (long)g.Count(r => r.IsError)));
        Assert.Equal(expectedRoutes.Count, routeStats.Count);
        Assert.All(routeStats, r => Assert.Equal(expectedRoutes[(r.Route, r.Method)], (r.Count, r.Errors)));
        Assert.Equal(routeStats.OrderByDescending(r => r.Count).Select(r => r.Count), routeStats.Select(r => r.Count));
        Assert.Equal(3, (await queries.GetRoutesAsync(range with { Limit = 3 }, default)).Count);

        var codes = await queries.GetStatusCodesAsync(range, default);
        Assert.Equal(
            requests.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => (long)g.Count()),
            codes.ToDictionary(c => c.StatusCode, c => c.Count));

        var errors = await queries.GetErrorsAsync(range with { Limit = 1_000 }, default);
        var expectedErrors = requests.Where(r => r.IsError).GroupBy(r => (r.Route, r.Method, r.StatusCode, r.ExceptionType))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), First: g.Min(r => r.Timestamp), Last: g.Max(r => r.Timestamp)));
        Assert.Equal(expectedErrors.Count, errors.Count);
        Assert.All(errors, e => Assert.Equal(expectedErrors[(e.Route, e.Method, e.StatusCode, e.ExceptionType)], (e.Count, e.FirstSeen, e.LastSeen)));

        var heatmap = await queries.GetHeatmapAsync(range, default);
        Assert.Equal(168, heatmap.Cells.Count);
        var perCell = requests
            .GroupBy(r => ((int)r.Timestamp.UtcDateTime.DayOfWeek, r.Timestamp.UtcDateTime.Hour))
            .ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.All(heatmap.Cells, c => Assert.Equal(perCell.GetValueOrDefault((c.DayOfWeek, c.Hour)), c.Count));

        // Filters, including a status class and the instance.
        var filtered = await queries.GetOverviewAsync(
            range with { Route = "/items/{id}", Method = "get", Status = "5xx", Instance = "web-2" }, default);
        Assert.Equal(
            requests.Count(r => r.Route == "/items/{id}" && r.Method == "GET" && r.StatusCode >= 500 && r.Instance == "web-2"),
            filtered.TotalRequests);
        Assert.Equal(0, (await queries.GetOverviewAsync(range with { Environment = "staging" }, default)).TotalRequests);

        // The request log pages through every matching raw row once, newest first.
        var log = new List<RequestLogEntry>();
        long? before = null;
        do
        {
            var page = await queries.GetRequestsAsync(range with { Status = "404", Limit = 50, Before = before }, default);
            log.AddRange(page.Items);
            before = page.Next;
        }
        while (before is not null);

        Assert.Equal(requests.Count(r => r.StatusCode == 404), log.Count);
        Assert.Equal(log.Count, log.Select(l => l.Id).Distinct().Count());
        Assert.Equal(log.OrderByDescending(l => l.Time).Select(l => l.Time), log.Select(l => l.Time));
    }

    /// <summary>
    /// Events over time have a point per bucket, empty ones included, with their outcomes and durations.
    /// </summary>
    [Fact]
    public async Task EventsOverTimeHaveEveryBucketAndTheirOutcomes()
    {
        await Store.WriteBatchAsync(Batch([
            new EventRecord { Timestamp = Start.AddMinutes(1), Name = "deploy", Success = true, Duration = TimeSpan.FromSeconds(30) },
            new EventRecord { Timestamp = Start.AddMinutes(1), Name = "deploy", Success = false, Duration = TimeSpan.FromSeconds(90) },
            new EventRecord { Timestamp = Start.AddMinutes(3), Name = "deploy", Success = true },
            new EventRecord { Timestamp = Start.AddMinutes(2), Name = "signup" },
        ]), default);

        var events = await Queries(Start.AddHours(1)).GetEventsAsync(new AnalyticsQuery { From = Start, To = Start.AddMinutes(5) }, default);

        Assert.Equal(Granularity.Minute, events.Granularity);
        Assert.Equal(["deploy", "signup"], events.Events.Select(e => e.Name));
        var deploy = events.Events[0];
        Assert.Equal((3L, 2L, 1L), (deploy.Count, deploy.Successes, deploy.Failures));
        Assert.Equal(60_000, deploy.Avg!.Value, 6);
        Assert.Equal([0L, 2L, 0L, 1L, 0L], deploy.Points.Select(p => p.Count));
        Assert.Equal([0L, 1L, 0L, 0L, 0L], deploy.Points.Select(p => p.Failures));
        Assert.Null(events.Events[1].P95);

        var onlySignups = await Queries(Start.AddHours(1)).GetEventsAsync(
            new AnalyticsQuery { From = Start, To = Start.AddMinutes(5), EventName = "signup" }, default);
        Assert.Equal("signup", Assert.Single(onlySignups.Events).Name);
    }

    private static DateTimeOffset FloorToMinute(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    private static double Sample(string distribution, Random random)
    {
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return distribution switch
        {
            "uniform" => 1 + (random.NextDouble() * 999),
            "log-normal" => Math.Exp(3 + Normal()),
            "bimodal" => random.NextDouble() < 0.8 ? 5 + Math.Abs(Normal()) : 400 + (50 * Math.Abs(Normal())),
            "pareto" => 2 / Math.Pow(1 - random.NextDouble(), 1 / 1.2),
            _ => throw new ArgumentOutOfRangeException(nameof(distribution)),
        };
    }
}
