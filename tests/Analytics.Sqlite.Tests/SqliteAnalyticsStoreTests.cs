using Analytics.Testing;
using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite.Tests;

public sealed class SqliteAnalyticsStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task EveryFieldOfARequestRoundTrips()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        var request = new RequestRecord
        {
            Timestamp = new DateTimeOffset(2026, 11, 21, 10, 30, 15, TimeSpan.Zero).AddTicks(1_234_560),
            Method = "POST",
            Route = "/orders/{id}",
            Path = "/orders/7",
            StatusCode = 503,
            Duration = TimeSpan.FromMicroseconds(12_345),
            RequestBytes = 321,
            ResponseBytes = 654,
            ClientIp = "10.1.2.0",
            UserAgent = "curl/8.5.0",
            Protocol = "HTTP/2",
            Kind = RequestKind.Grpc,
            TraceId = "0af7651916cd43dd8448eb211c80319c",
            UserId = "alice",
            Environment = "Production",
            Instance = "web-1",
            ExceptionType = "System.InvalidOperationException",
            ExceptionMessage = "boom",
        };

        await store.WriteBatchAsync(Batch([request]), default);
        var stored = Assert.Single(await store.ReadRequestsAsync(new RawQuery(), default));

        Assert.Equal(request, stored.Request);
    }

    [Fact]
    public async Task NullableFieldsRoundTripAsNull()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        var request = Request(1);

        await store.WriteBatchAsync(Batch([request]), default);
        var stored = Assert.Single(await store.ReadRequestsAsync(new RawQuery(), default));

        Assert.Equal(request, stored.Request);
        Assert.Null(stored.Request.ClientIp);
        Assert.Null(stored.Request.ExceptionType);
    }

    [Fact]
    public async Task EventsRoundTripWithAndWithoutOptionalFields()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        var full = new EventRecord
        {
            Timestamp = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Name = "deployment",
            UserId = "ci",
            Duration = TimeSpan.FromSeconds(95),
            Success = false,
            PropertiesJson = "{\"version\":\"1.2.3\"}",
            Environment = "Production",
            Instance = "web-1",
        };
        var bare = new EventRecord { Timestamp = full.Timestamp.AddMinutes(1), Name = "signup" };
        var batch = new AnalyticsBatch();
        batch.AddEvent(full);
        batch.AddEvent(bare);

        await store.WriteBatchAsync(batch, default);
        var stored = await store.ReadEventsAsync(new RawQuery(), default);

        Assert.Equal([bare, full], stored.Select(s => s.Event));
    }

    [Fact]
    public async Task PagesAreNewestFirstAndTheKeysetWalksEveryRowOnce()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        await store.WriteBatchAsync(Batch(Enumerable.Range(0, 250).Select(Request)), default);

        var seen = new List<string>();
        long? before = null;
        while (true)
        {
            var page = await store.ReadRequestsAsync(new RawQuery { Limit = 100, Before = before }, default);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(page.Select(p => p.Request.Path));
            before = page[^1].Id;
        }

        Assert.Equal(Enumerable.Range(0, 250).Reverse().Select(i => $"/items/{i}"), seen);
    }

    [Fact]
    public async Task TheTimeRangeIsFromInclusiveToExclusive()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        await store.WriteBatchAsync(Batch(Enumerable.Range(0, 10).Select(Request)), default);

        var page = await store.ReadRequestsAsync(new RawQuery { From = Request(3).Timestamp, To = Request(6).Timestamp }, default);

        Assert.Equal(["/items/5", "/items/4", "/items/3"], page.Select(p => p.Request.Path));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task AnOutOfRangeLimitIsRefused(int limit)
    {
        using var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        await store.InitializeAsync(default);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ReadRequestsAsync(new RawQuery { Limit = limit }, default));
    }

    [Fact]
    public async Task TheFileIsInWalModeAtTheLatestSchemaVersion()
    {
        var path = _directory.File("nested/folder/a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);

        using var connection = Open(path);
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(connection, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task InitializingTwiceAndReopeningKeepsTheData()
    {
        var path = _directory.File("a.db");
        using (var store = new SqliteAnalyticsStore(path))
        {
            await store.InitializeAsync(default);
            await store.InitializeAsync(default);
            await store.WriteBatchAsync(Batch([Request(1)]), default);
        }

        using var reopened = new SqliteAnalyticsStore(path);
        await reopened.InitializeAsync(default);
        Assert.Single(await reopened.ReadRequestsAsync(new RawQuery(), default));
    }

    [Fact]
    public async Task AFileFromANewerVersionIsRefusedWithAClearMessage()
    {
        var path = _directory.File("a.db");
        using (var connection = Open(path))
        {
            Scalar(connection, "PRAGMA user_version = 999;");
        }

        using var store = new SqliteAnalyticsStore(path);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(default));

        Assert.Contains("schema version 999", error.Message);
    }

    [Fact]
    public async Task ABatchIsAllOrNothingAndTheStoreWritesAgainOnceTheLockIsReleased()
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);

        // Another process holding the write lock is the realistic "cannot write" fault: as root, file modes stop nothing.
        using (var locker = Open(path))
        {
            Scalar(locker, "BEGIN IMMEDIATE;");
            await Assert.ThrowsAsync<SqliteException>(() => store.WriteBatchAsync(Batch(Enumerable.Range(0, 10).Select(Request)), default));
            Scalar(locker, "ROLLBACK;");
        }

        Assert.Empty(await store.ReadRequestsAsync(new RawQuery(), default));
        await store.WriteBatchAsync(Batch(Enumerable.Range(0, 10).Select(Request)), default);
        Assert.Equal(10, (await store.ReadRequestsAsync(new RawQuery(), default)).Count);
    }

    [Fact]
    public async Task PingFailsWhenTheFileCannotBeOpened()
    {
        var blocker = _directory.File("not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        using var store = new SqliteAnalyticsStore(Path.Combine(blocker, "a.db"));

        await Assert.ThrowsAnyAsync<Exception>(() => store.PingAsync(default));
        await Assert.ThrowsAnyAsync<Exception>(() => store.InitializeAsync(default));
    }

    private static RequestRecord Request(int i) => new()
    {
        Timestamp = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i),
        Method = "GET",
        Route = "/items/{id}",
        Path = $"/items/{i}",
        StatusCode = 200,
        Duration = TimeSpan.FromMilliseconds(i),
    };

    private static AnalyticsBatch Batch(IEnumerable<RequestRecord> requests)
    {
        var batch = new AnalyticsBatch();
        foreach (var request in requests)
        {
            batch.AddRequest(request);
        }
        return batch;
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
