using Analytics.Storage;
using Analytics.Testing;
using Analytics.Testing.Conformance;

namespace Analytics.Sqlite.Tests;

/// <summary>Raw requests read from request_rows, their shape and string ids mapped through the reader's caches.</summary>
public sealed class SqliteRequestReaderTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task IdsWrittenAfterTheCacheFilledAreFetchedOnceAndReadBackExactly()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        var reader = store.RequestReader;
        await store.WriteBatchAsync(TestData.Batch([Request(0, "/a")]), default);
        await store.ReadRequestsAsync(new RawQuery(), default);
        long fetched = reader.FetchedIds; // its shape, path and client address

        Assert.Equal(3, fetched);
        await store.ReadRequestsAsync(new RawQuery(), default);
        Assert.Equal(fetched, reader.FetchedIds);

        // A new path and a new shape (another consumer) miss; the first row's ids still hit.
        var later = Request(1, "/b") with { Consumer = "mobile", TraceId = "0af7651916cd43dd8448eb211c80319c" };
        await store.WriteBatchAsync(TestData.Batch([later]), default);
        var page = await store.ReadRequestsAsync(new RawQuery(), default);

        Assert.Equal([later, Request(0, "/a")], page.Select(r => r.Request));
        Assert.Equal(fetched + 2, reader.FetchedIds);
        var occurrence = Assert.Single(await store.ReadErrorOccurrencesAsync("f1", 10, default));
        Assert.Equal(later, occurrence.Request);
        Assert.Equal(fetched + 2, reader.FetchedIds);
    }

    [Fact]
    public async Task MoreDistinctStringsThanTheCacheHoldsStayBoundedAndReadBackTheirOwnValues()
    {
        // Paths 1 … Capacity + 100 (and the one client address): ids a Capacity apart share a slot and evict each other.
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        var requests = Enumerable.Range(0, SqliteRequestReader.Capacity + 100)
            .Select(i => Request(i, $"/items/{i}") with { Consumer = i % 1_000 == 0 ? $"consumer-{i}" : null })
            .ToArray();
        await store.WriteBatchAsync(TestData.Batch(requests), default);
        var expected = requests.Reverse().ToArray();

        foreach (var limit in new[] { 10_000, 1_000 })
        {
            var read = new List<RequestRecord>();
            for (var page = await store.ReadRequestsAsync(new RawQuery { Limit = limit }, default); page.Count > 0;
                page = await store.ReadRequestsAsync(new RawQuery { Limit = limit, Before = page[^1].Id }, default))
            {
                read.AddRange(page.Select(r => r.Request));
            }

            Assert.Equal(expected, read);
        }

        Assert.Equal(SqliteRequestReader.Capacity, store.RequestReader.CachedStrings);
    }

    private static RequestRecord Request(int second, string path) => new()
    {
        Timestamp = Day.AddSeconds(second),
        Method = "GET",
        Route = "/items/{id}",
        Path = path,
        StatusCode = second == 1 ? 500 : 200,
        Duration = TimeSpan.FromMilliseconds(1),
        ClientIp = "203.0.113.0",
        UserAgent = "okhttp/4.12.0",
        Protocol = "HTTP/1.1",
        ExceptionType = second == 1 ? "System.InvalidOperationException" : null,
        ErrorFingerprint = second == 1 ? "f1" : null,
    };
}
