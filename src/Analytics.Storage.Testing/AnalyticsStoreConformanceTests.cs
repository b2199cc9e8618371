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
        await Store.WriteBatchAsync(Batch(FilterTraffic()), default);

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

    /// <summary>
    /// Four requests in one minute that differ in every key a filter can name (route, method, status, environment,
    /// instance, one with neither environment nor instance): the raw and the rollup filter tests read them alike.
    /// </summary>
    private static RequestRecord[] FilterTraffic() =>
    [
            Request(Start, route: "/a", method: "GET", status: 200, environment: "prod", instance: "web-1"),
            Request(Start, route: "/a", method: "POST", status: 201, environment: "prod", instance: "web-2"),
            Request(Start, route: "/b", method: "GET", status: 404, environment: "staging", instance: "web-1"),
            Request(Start, route: "/b", method: "GET", status: 503),
    ];
}
