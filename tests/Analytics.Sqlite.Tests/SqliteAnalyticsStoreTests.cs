using Analytics.Storage;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.Data.Sqlite;
using static Analytics.Sqlite.Tests.SqliteCommands;

namespace Analytics.Sqlite.Tests;

public sealed class SqliteAnalyticsStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

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

    [Fact]
    public async Task AVersion1FileIsMigratedWithItsRowsKept()
    {
        var path = _directory.File("a.db");
        using (var connection = Open(path))
        {
            var (version, resource) = SqliteSchema.Migrations[0];
            Assert.Equal(1, version);
            Scalar(connection, SqliteSchema.ReadScript(resource) + "\nPRAGMA user_version = 1;");
            Scalar(connection, "INSERT INTO requests (ts, method, route, path, status, duration_us, request_bytes, response_bytes, kind) VALUES (0, 'GET', '/', '/', 200, 5, 0, 0, 0);");
        }

        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        await store.WriteBatchAsync(Batch([Request(1)]), default);

        Assert.Equal(2, (await store.ReadRequestsAsync(new RawQuery(), default)).Count);
        Assert.Single(await store.ReadRequestRollupsAsync(TestData.RollupRange(Granularity.Day, Day, Day.AddDays(1)), default).ToListAsync());
        using var check = Open(path);
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(check, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task AVersion7FileKeepsItsRollupsAsPlainRequestsAndLaterBatchesAddToThemByKind()
    {
        // A file as the previous release left it: schema 7, one minute of rollups with no kind column, WebSockets and all.
        var path = _directory.File("a.db");
        using (var connection = Open(path))
        {
            foreach (var (version, resource) in SqliteSchema.Migrations.Where(m => m.Version <= 7))
            {
                Scalar(connection, SqliteSchema.ReadScript(resource) + $"\nPRAGMA user_version = {version};");
            }

            var sketch = new LatencySketch();
            sketch.Add(1_000);
            sketch.Add(5_000_000);
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO request_rollups (granularity, bucket_start, route, method, status, environment, instance, count, errors,
                    duration_sum_us, duration_min_us, duration_max_us, request_bytes, response_bytes, latency)
                VALUES (0, $bucket, '/items/{id}', 'GET', 200, '', '', 2, 0, 5001000, 1000, 5000000, 0, 0, $latency);
                INSERT INTO error_rollups (granularity, bucket_start, route, method, status, exception_type, environment, instance, count, first_seen, last_seen, fingerprint)
                VALUES (0, $bucket, '/items/{id}', 'GET', 500, '', '', '', 1, $bucket, $bucket, 'abc');
                """;
            insert.Parameters.AddWithValue("$bucket", SqliteAnalyticsStore.ToUnixMicroseconds(Day));
            insert.Parameters.AddWithValue("$latency", sketch.ToBytes());
            insert.ExecuteNonQuery();
        }

        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        await store.WriteBatchAsync(Batch([Request(1), Request(2) with { Kind = RequestKind.WebSocket, Duration = TimeSpan.FromSeconds(3) }]), default);

        var minute = TestData.RollupRange(Granularity.Minute, Day, Day.AddMinutes(1), includeSketches: true);
        var rows = (await store.ReadRequestRollupsAsync(minute, default).ToListAsync()).ToDictionary(r => r.Kind);
        Assert.Equal([RequestKind.Http, RequestKind.WebSocket], rows.Keys.Order());
        Assert.Equal((3L, 3L), (rows[RequestKind.Http].Count, rows[RequestKind.Http].Latency!.Count)); // the old row, added to
        Assert.Equal((1L, 3_000_000L), (rows[RequestKind.WebSocket].Count, rows[RequestKind.WebSocket].DurationMaxMicroseconds));
        Assert.Equal(RequestKind.Http, Assert.Single(await store.ReadErrorRollupsAsync(minute, default).ToListAsync()).Kind);
        using var check = Open(path);
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(check, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task AVersion8FilesPendingWebhookMessagesAreClaimedAndCompletedAfterTheMigration()
    {
        // A file as the previous release left it: schema 8, one message leased by a dispatcher that has since stopped
        // and one never claimed, neither with a claim token.
        var path = _directory.File("a.db");
        using (var connection = Open(path))
        {
            foreach (var (version, resource) in SqliteSchema.Migrations.Where(m => m.Version <= 8))
            {
                Scalar(connection, SqliteSchema.ReadScript(resource) + $"\nPRAGMA user_version = {version};");
            }

            var due = SqliteAnalyticsStore.ToUnixMicroseconds(Day);
            Scalar(connection, $"""
                INSERT INTO webhook_outbox (id, subscription_id, event_type, payload, created_at, next_attempt_at, attempts, deliveries, state)
                VALUES ('msg_leased', 's', 'webhook.test', x'7b7d', {due}, {due}, 1, 1, 0), ('msg_new', 's', 'webhook.test', x'7b7d', {due}, {due}, 0, 0, 0);
                """);
        }

        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        IWebhookStore webhooks = store;

        var unclaimed = (await webhooks.GetWebhookMessageAsync("msg_new", default))!;
        Assert.Equal(0, unclaimed.ClaimToken);
        var claimed = Assert.Single(await webhooks.ClaimWebhookMessagesAsync(Day, Day.AddMinutes(5), 1, default));
        Assert.Equal(("msg_leased", 1L), (claimed.Id, claimed.ClaimToken));
        Assert.True(await webhooks.TryCompleteWebhookMessageAsync(
            claimed with { State = WebhookMessageState.Delivered, Attempts = 2, Deliveries = 2 }, [], default));
        Assert.True(await webhooks.TryCompleteWebhookMessageAsync(unclaimed with { State = WebhookMessageState.Failed }, [], default));

        Assert.Equal(WebhookMessageState.Delivered, (await webhooks.GetWebhookMessageAsync("msg_leased", default))!.State);
        Assert.Equal(WebhookMessageState.Failed, (await webhooks.GetWebhookMessageAsync("msg_new", default))!.State);
        using var check = Open(path);
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(check, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task ADamagedSketchNeitherBlocksLaterBatchesNorFailsReads()
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.WriteBatchAsync(Batch([Request(1)]), default);
        using (var connection = Open(path))
        {
            Scalar(connection, "UPDATE request_rollups SET latency = x'ff00ff';");
        }

        await store.WriteBatchAsync(Batch([Request(2)]), default);

        var day = TestData.RollupRange(Granularity.Day, Day, Day.AddDays(1), includeSketches: true);
        var row = Assert.Single(await store.ReadRequestRollupsAsync(day, default).ToListAsync());
        Assert.Equal(2, row.Count);
        Assert.Equal(1, row.Latency!.Count); // the damaged sketch was replaced by the new batch's
        using (var connection = Open(path))
        {
            Scalar(connection, "UPDATE request_rollups SET latency = x'ff00ff';");
        }

        Assert.Null(Assert.Single(await store.ReadRequestRollupsAsync(day, default).ToListAsync()).Latency);
    }

    [Fact]
    public async Task ADamagedPerConsumerSketchIsReplacedByTheNextBatchsAtEveryGranularity()
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.WriteBatchAsync(Batch([Request(1) with { Consumer = "mobile" }]), default);
        using (var connection = Open(path))
        {
            Scalar(connection, "UPDATE consumer_rollups SET latency = x'ff00ff';");
        }

        await store.WriteBatchAsync(Batch([Request(2) with { Consumer = "mobile" }]), default);

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var read = TestData.RollupRange(granularity, Day, Day.AddDays(1), includeSketches: true);
            var row = Assert.Single(await store.ReadConsumerRollupsAsync(read, default).ToListAsync());
            Assert.Equal(("mobile", 2L), (row.Consumer, row.Count));
            Assert.Equal(1, row.Latency!.Count); // the damaged sketch was replaced by the new batch's
        }
    }

    [Fact]
    public async Task RollupRowsReadBackEveryColumnAsWrittenWhateverTheText()
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        var request = Request(1) with
        {
            Route = "/café/{id}/日本",
            Method = "PÖST",
            StatusCode = 503,
            Environment = "prød",
            Instance = "ünit-1",
            UserId = "u",
            ClientIp = "10.0.0.1",
            RequestBytes = 12,
            ResponseBytes = 34,
        };
        await store.WriteBatchAsync(Batch([request, Request(2)]), default);

        var rows = await store.ReadRequestRollupsAsync(TestData.RollupRange(Granularity.Minute, Day, Day.AddDays(1), includeSketches: true) with { IncludeCardinality = true }, default).ToListAsync();
        var row = Assert.Single(rows, r => r.StatusCode == 503);
        Assert.Equal(("/café/{id}/日本", "PÖST", "prød", "ünit-1"), (row.Route, row.Method, row.Environment, row.Instance));
        Assert.Equal((1L, 1L, 1000L, 1000L, 1000L, 12L, 34L), (row.Count, row.Errors, row.DurationSumMicroseconds, row.DurationMinMicroseconds, row.DurationMaxMicroseconds, row.RequestBytes, row.ResponseBytes));
        Assert.Equal((1L, 1L, 1L), (row.Latency!.Count, row.Users!.Estimate(), row.Clients!.Estimate()));
        var plain = Assert.Single(rows, r => r.StatusCode == 200);
        Assert.Equal(("/items/{id}", "GET", null, null, null, null), (plain.Route, plain.Method, plain.Environment, plain.Instance, plain.Users, plain.Clients));

        // A damaged distinct-count sketch reads as none, like a damaged latency sketch; the row's counts still read.
        using (var connection = Open(path))
        {
            Scalar(connection, "UPDATE request_rollups SET users = x'01', clients = x'';");
        }

        var damaged = Assert.Single(
            await store.ReadRequestRollupsAsync(TestData.RollupRange(Granularity.Minute, Day, Day.AddDays(1)) with { IncludeCardinality = true, MinStatusCode = 500 }, default).ToListAsync());
        Assert.Equal((1L, null, null, null), (damaged.Count, damaged.Latency, damaged.Users, damaged.Clients));
    }

    public static TheoryData<string, RollupQuery> RollupReads => new()
    {
        { "request_rollups", TestData.RollupRange(Granularity.Minute, TestData.Start, TestData.Start.AddHours(6)) },
        { "request_rollups", TestData.RollupRange(Granularity.Day, TestData.Start, TestData.Start.AddDays(30)) with { Route = "/a", Method = "GET", MinStatusCode = 500, MaxStatusCode = 599, Environment = "e", Instance = "i" } },
        { "request_rollups", TestData.RollupRange(Granularity.Hour, TestData.Start, TestData.Start.AddDays(7)) with { Kind = RequestKind.WebSocket } },
        { "error_rollups", TestData.RollupRange(Granularity.Hour, TestData.Start, TestData.Start.AddDays(7)) with { Route = "/a" } },
        { "error_rollups", TestData.RollupRange(Granularity.Hour, TestData.Start, TestData.Start.AddDays(7)) with { Kind = RequestKind.ServerSentEvents } },
        { "event_rollups", TestData.RollupRange(Granularity.Hour, TestData.Start, TestData.Start.AddDays(7)) with { EventName = "deploy" } },
    };

    [Theory]
    [MemberData(nameof(RollupReads))]
    public async Task RollupReadsSearchTheUniqueIndexByGranularityAndBucket(string table, RollupQuery query)
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        using var connection = Open(path);

        // Request rows are read through the unique index by name: the counts index (version 7) shares its leading columns.
        var from = table == "request_rollups" ? "request_rollups INDEXED BY ux_request_rollups" : table;
        using var command = SqliteAnalyticsStore.CreateRollupCommand(connection, $"SELECT * FROM {from}", query, requests: table != "event_rollups");
        var plan = ExplainQueryPlan(command);

        Assert.Contains($"SEARCH {table} USING INDEX ux_{table} (granularity=? AND bucket_start>? AND bucket_start<?)", plan);
    }

    [Theory]
    [InlineData("bucket_start", null, false, "SEARCH request_rollups USING COVERING INDEX ix_request_rollups_counts (granularity=? AND bucket_start>? AND bucket_start<?)")]
    [InlineData("status", null, false, "SEARCH request_rollups USING COVERING INDEX ix_request_rollups_counts (granularity=? AND bucket_start>? AND bucket_start<?)")]
    [InlineData("bucket_start", "/a", false, "SEARCH request_rollups USING INDEX ux_request_rollups (granularity=? AND bucket_start>? AND bucket_start<?)")]
    [InlineData("status", null, true, "SEARCH request_rollups USING INDEX ux_request_rollups (granularity=? AND bucket_start>? AND bucket_start<?)")]
    public async Task CountsPerBucketOrStatusAreReadFromAnIndexAloneUnlessAKeyIsFiltered(string groupBy, string? route, bool byKind, string expected)
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        using var connection = Open(path);

        var query = TestData.RollupRange(Granularity.Hour, TestData.Start, TestData.Start.AddDays(7)) with
        {
            MinStatusCode = 500,
            MaxStatusCode = 599,
            Route = route,
            Kind = byKind ? RequestKind.ServerSentEvents : null,
        };
        using var command = SqliteAnalyticsStore.CreateRollupCommand(
            connection, $"SELECT {groupBy}, sum(count) FROM request_rollups INDEXED BY {SqliteAnalyticsStore.CountsIndex(query)}", query, requests: true, groupBy);

        Assert.Contains(expected, ExplainQueryPlan(command));
    }

    [Theory]
    [InlineData(false, false, "SCAN request_rows USING INDEX ix_request_rows_ts")]
    [InlineData(true, false, "SEARCH request_rows USING INDEX ix_request_rows_ts (ts>? AND ts<?)")]
    [InlineData(true, true, "SEARCH request_rows USING INDEX ix_request_rows_ts (ts>? AND ts<?)")]
    [InlineData(false, true, "SEARCH request_rows USING INDEX ix_request_rows_ts (ts<?)")]
    public async Task RawPagesSeekTheTimeIndexAndNeverSort(bool withRange, bool withCursor, string expected)
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.InitializeAsync(default);
        using var connection = Open(path);
        var query = new RawQuery
        {
            From = withRange ? TestData.Start : null,
            To = withRange ? TestData.Start.AddDays(1) : null,
            Before = withCursor ? 42 : null,
            Route = "/a", // with a consumer, filters on the shape: one set of shape ids per page, not a join per row
            Consumer = "mobile",
            MinStatusCode = 500,
        };

        // A cursor inside the range: the page seeks between the range start and the cursor, not from the range end.
        (long, long)? cursor = withCursor ? (SqliteAnalyticsStore.ToUnixMicroseconds(TestData.Start.AddHours(12)), 42) : null;
        using var command = SqliteAnalyticsStore.CreatePageCommand(
            connection, SqliteRequestReader.Table, SqliteRequestReader.Columns, query, cursor);
        var plan = ExplainQueryPlan(command);

        Assert.Contains(expected, plan);
        Assert.DoesNotContain("TEMP B-TREE", plan);
    }

    [Fact]
    public async Task AStoreThatWasNeverWrittenAnswersReadsWithNothing()
    {
        using var store = new SqliteAnalyticsStore(_directory.File("fresh.db"));

        Assert.Empty(await store.ReadRequestsAsync(new RawQuery(), default));
        Assert.Empty(await store.ReadRequestRollupsAsync(TestData.RollupRange(Granularity.Day, Day, Day.AddDays(1)), default).ToListAsync());
    }

    [Fact]
    public async Task ADisposedStoreRefusesWrites()
    {
        var store = new SqliteAnalyticsStore(_directory.File("a.db"));
        await store.WriteBatchAsync(Batch([Request(1)]), default);
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.WriteBatchAsync(Batch([Request(2)]), default));
    }

    private static string ExplainQueryPlan(SqliteCommand command)
    {
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join("\n", lines);
    }

    private static readonly DateTimeOffset Day = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static RequestRecord Request(int i) => new()
    {
        Timestamp = Day.AddSeconds(i),
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
}
