using Analytics.Storage;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Analytics.Webhooks;
using Microsoft.Data.Sqlite;
using static Analytics.Sqlite.Tests.SqliteCommands;

namespace Analytics.Sqlite.Tests;

/// <summary>Schema 12: raw requests keep their repeating strings once (request_shapes, request_strings).</summary>
public sealed class SqliteInternedStringsTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AVersion11FileIsConvertedAndEveryRowReadsBackExactlyWithItsId()
    {
        // A file as the previous release left it: schema 11 and raw rows of every column, nulls, long and non-ASCII text.
        var path = _directory.File("a.db");
        List<object?[]> before;
        using (var connection = Open(path))
        {
            foreach (var (version, resource) in SqliteSchema.Migrations.Where(m => m.Version <= 11))
            {
                Execute(connection, SqliteSchema.ReadScript(resource) + $"\nPRAGMA user_version = {version};");
            }

            using var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO requests ({SqliteWriter.RequestColumns}) VALUES ({Parameters(SqliteWriter.RequestColumns)});";
            object?[][] rows =
            [
                [7L, 10L, "GET", "/items/{id}", "/items/1", 200, 1_000L, 0L, 10L, "203.0.113.0", "okhttp/4.12.0", "HTTP/1.1", 0,
                    "0af7651916cd43dd8448eb211c80319c", "u1", "Production", "web-1", null, null, null, null, "mobile", "1.0"],
                [9L, 10L, "GET", "/items/{id}", "/items/1", 200, 2_000L, 0L, 11L, "203.0.113.0", "okhttp/4.12.0", "HTTP/1.1", 0,
                    null, null, "Production", "web-1", null, null, null, null, "mobile", "1.0"],
                [12L, 20L, "POST", "/città/{id}", "/città/" + new string('ü', 3_000), 500, 3L, 4L, 5L, null, null, null, 2,
                    "not a w3c id", "ユーザー", null, null, "System.InvalidOperationException", "boom 💥", "at X()", "abc", null, null],
            ];
            foreach (var row in rows)
            {
                insert.Parameters.Clear();
                for (var i = 0; i < row.Length; i++)
                {
                    insert.Parameters.AddWithValue($"$p{i}", row[i] ?? DBNull.Value);
                }

                insert.ExecuteNonQuery();
            }

            before = ReadAll(connection);
        }

        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);

        using var check = Open(path);
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(check, "PRAGMA user_version;"));
        Assert.Equal(before, ReadAll(check));
        Assert.Equal((2L, 3L), ((long)Scalar(check, "SELECT count(*) FROM request_shapes;")!, (long)Scalar(check, "SELECT count(*) FROM request_strings;")!));
        var page = await store.ReadRequestsAsync(new RawQuery { Before = 12 }, default);
        Assert.Equal([9L, 7L], page.Select(r => r.Id));
        Assert.Equal(("0af7651916cd43dd8448eb211c80319c", "mobile"), (page[1].Request.TraceId, page[1].Request.Consumer));
        var error = Assert.Single(await store.ReadErrorOccurrencesAsync("abc", 10, default));
        Assert.Equal(("/città/" + new string('ü', 3_000), "boom 💥"), (error.Request.Path, error.Request.ExceptionMessage));

        // The writer finds the converted strings instead of adding them again, and the ids go on from the old ones.
        await store.WriteBatchAsync(
            TestData.Batch([Request(1, "/items/1") with { Environment = "Production", Instance = "web-1", Consumer = "mobile", Release = "1.0" }]),
            default);
        Assert.Equal((2L, 3L), ((long)Scalar(check, "SELECT count(*) FROM request_shapes;")!, (long)Scalar(check, "SELECT count(*) FROM request_strings;")!));
        Assert.Equal(13L, Scalar(check, "SELECT max(id) FROM requests;"));
    }

    [Fact]
    public async Task RepeatingStringsAreStoredOnceAndAW3CTraceIdAsItsSixteenBytes()
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        var requests = Enumerable.Range(0, 20).Select(i => Request(i, $"/items/{i % 4}") with
        {
            TraceId = i == 0 ? "0af7651916cd43dd8448eb211c80319c" : null,
        }).ToArray();

        await store.WriteBatchAsync(TestData.Batch(requests), default);

        using var check = Open(path);
        Assert.Equal(1L, Scalar(check, "SELECT count(*) FROM request_shapes;"));
        Assert.Equal(5L, Scalar(check, "SELECT count(*) FROM request_strings;")); // four paths and one client address
        Assert.Equal(16L, Scalar(check, "SELECT length(trace_id) FROM request_rows WHERE trace_id IS NOT NULL;"));
        Assert.Equal(requests.Reverse(), (await store.ReadRequestsAsync(new RawQuery(), default)).Select(r => r.Request));
    }

    [Fact]
    public async Task ABatchThatRolledBackLeavesNoIdBehindForItsRetry()
    {
        // The failing batch interns "/a" and a curl shape, then fails on its second outbox message (the same primary key)
        // and rolls back, both ids with it. The same writer then interns "/b" and a python shape first, which SQLite gives
        // the ids the rolled-back ones had: a writer that kept those in its cache would write "/b" and python for "/a".
        var path = _directory.File("a.db");
        using (var writer = SqliteWriter.Open($"Data Source={path};Pooling=False", path))
        {
            writer.Write(TestData.Batch([Request(0, "/first")]));
            var failing = TestData.Batch([Request(1, "/a") with { UserAgent = "curl/8.5.0" }]);
            var message = WebhookMessageFactory.NewMessage("s1", "request.failed", [1], Day);
            failing.AddWebhookMessage(message);
            failing.AddWebhookMessage(message);

            Assert.Throws<SqliteException>(() => writer.Write(failing));
            writer.Write(TestData.Batch(
                [Request(2, "/b") with { UserAgent = "python-requests/2.32.3" }, Request(3, "/a") with { UserAgent = "curl/8.5.0" }]));
        }

        using var store = new SqliteAnalyticsStore(path);
        var rows = (await store.ReadRequestsAsync(new RawQuery(), default)).Select(r => (r.Request.Path, r.Request.UserAgent));
        Assert.Equal([("/a", "curl/8.5.0"), ("/b", "python-requests/2.32.3"), ("/first", "okhttp/4.12.0")], rows);
    }

    [Fact]
    public async Task TheRequestLogPagesAndFiltersOnTheJoinedStrings()
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        var requests = Enumerable.Range(0, 30).Select(i => Request(i / 2, $"/items/{i % 3}") with
        {
            Route = i % 3 == 0 ? "/items" : "/items/{id}",
            Method = i % 5 == 0 ? "POST" : "GET",
            Consumer = i % 2 == 0 ? "web" : null,
        }).ToArray();
        await store.WriteBatchAsync(TestData.Batch(requests), default);

        var expected = requests.Select((r, i) => (Id: i + 1L, r))
            .Where(x => x.r.Route == "/items/{id}" && x.r.Method == "GET" && x.r.Consumer == "web")
            .OrderByDescending(x => x.r.Timestamp).ThenByDescending(x => x.Id).ToList();
        var query = new RawQuery { Route = "/items/{id}", Method = "GET", Consumer = "web", Limit = 3 };
        var read = new List<StoredRequest>();
        for (var page = await store.ReadRequestsAsync(query, default); page.Count > 0;
            page = await store.ReadRequestsAsync(query with { Before = page[^1].Id }, default))
        {
            read.AddRange(page);
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(x => (x.Id, x.r)), read.Select(r => (r.Id, r.Request)));
    }

    private static RequestRecord Request(int second, string path) => new()
    {
        Timestamp = Day.AddSeconds(second),
        Method = "GET",
        Route = "/items/{id}",
        Path = path,
        StatusCode = 200,
        Duration = TimeSpan.FromMilliseconds(1),
        ClientIp = "203.0.113.0",
        UserAgent = "okhttp/4.12.0",
        Protocol = "HTTP/1.1",
    };

    private static List<object?[]> ReadAll(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteWriter.RequestColumns} FROM requests ORDER BY id;";
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row);
        }

        return rows;
    }

    private static string Parameters(string columns) => string.Join(", ", columns.Split(", ").Select((_, i) => $"$p{i}"));

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }
}
