using System.Text;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Webhooks;
using static Analytics.Testing.Conformance.TestData;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// What only a store shared by several instances has to get right: concurrent writers, migrations, claims, leadership;
/// and text PostgreSQL would refuse, with the whole batch that holds it, stored with U+FFFD in its place.
/// </summary>
public sealed class PostgreSqlAnalyticsStoreTests : IAsyncLifetime
{
    private const char High = '\uD83D';
    private const char Low = '\uDE00';

    private readonly string _schema = PostgresDatabase.NewSchema();
    private readonly List<PostgreSqlAnalyticsStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await PostgresDatabase.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task WritersAddingToTheSameBucketsAtOnceLoseNoUpdate()
    {
        // Four instances with the same environment and instance name write the same minute, hour and day rows, batch
        // after batch, all at once: a sketch merged outside the row lock would lose whole batches here.
        var stores = Enumerable.Range(0, 4).Select(_ => Store()).ToList();
        await stores[0].InitializeAsync(default);
        const int batches = 15;
        const int perBatch = 200;
        var all = new System.Collections.Concurrent.ConcurrentBag<double>();
        await Task.WhenAll(stores.Select((store, s) => Task.Run(async () =>
        {
            var random = new Random(s);
            for (int b = 0; b < batches; b++)
            {
                var requests = Enumerable.Range(0, perBatch).Select(i =>
                {
                    var ms = Math.Round(Math.Exp(random.NextDouble() * 8), 3); // 1 ms to 3 s, log-uniform
                    all.Add(ms);
                    return Request(Start.AddSeconds(i % 50), route: i % 2 == 0 ? "/a" : "/b", status: i % 10 == 0 ? 500 : 200, milliseconds: ms, instance: "web");
                });
                await store.WriteBatchAsync(Batch(requests, keepRaw: false), default);
            }
        })));

        var sorted = all.Order().ToList();
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var rows = await stores[1].ReadRequestRollupsAsync(RollupRange(granularity, Start.AddDays(-1), Start.AddDays(1), includeSketches: true), default).ToListAsync();
            Assert.Equal(4 * batches * perBatch, rows.Sum(r => r.Count));
            Assert.Equal(4 * batches * perBatch / 10, rows.Sum(r => r.Errors));
            var merged = new LatencySketch();
            foreach (var row in rows)
            {
                Assert.Equal(row.Count, row.Latency!.Count); // every batch's sketch made it into the row's
                merged.Merge(row.Latency);
            }

            foreach (var q in new[] { 0.5, 0.95, 0.99 })
            {
                var exact = ExactQuantile(sorted, q) * 1000; // sketches hold microseconds
                Assert.InRange(merged.GetQuantile(q), exact * 0.99, exact * 1.01);
            }
        }
    }

    [Fact]
    public async Task InstancesStartingTogetherMigrateTheSchemaOnce()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => Store()).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(default))));

        Assert.Equal(PostgreSqlSchema.Migrations.Count, await PostgresDatabase.ScalarAsync<long>($"SELECT count(*) FROM \"{_schema}\".schema_version;"));
        await stores[3].WriteBatchAsync(Batch([Request(Start)]), default);
        Assert.Single(await stores[5].ReadRequestsAsync(new RawQuery(), default));
    }

    [Fact]
    public async Task AVersion4SchemaKeepsItsRollupsAsPlainRequestsAndLaterBatchesAddToThemByKind()
    {
        // A schema as the previous release left it: version 4, one minute of rollups with no kind column.
        var quoted = PostgreSqlSchema.Quote(_schema);
        var script = new StringBuilder($"CREATE SCHEMA {quoted}; CREATE TABLE {quoted}.schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());\n");
        foreach (var (version, resource) in PostgreSqlSchema.Migrations.Where(m => m.Version <= 4))
        {
            script.Append(PostgreSqlSchema.ReadScript(resource).Replace("{schema}", quoted, StringComparison.Ordinal))
                .Append($"\nINSERT INTO {quoted}.schema_version (version) VALUES ({version});\n");
        }

        var sketch = new LatencySketch();
        sketch.Add(1_000);
        sketch.Add(5_000_000);
        var bucket = (Start - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        script.Append($$"""
            INSERT INTO {{quoted}}.request_rollups (granularity, bucket_start, route, method, status, environment, instance, count, errors,
                duration_sum_us, duration_min_us, duration_max_us, request_bytes, response_bytes, latency)
            VALUES (0, {{bucket}}, '/items/{id}', 'GET', 200, '', '', 2, 0, 5001000, 1000, 5000000, 0, 0, '\x{{Convert.ToHexString(sketch.ToBytes())}}');
            INSERT INTO {{quoted}}.error_rollups (granularity, bucket_start, route, method, status, exception_type, environment, instance, count, first_seen, last_seen, fingerprint)
            VALUES (0, {{bucket}}, '/items/{id}', 'GET', 500, '', '', '', 1, {{bucket}}, {{bucket}}, 'abc');
            """);
        await PostgresDatabase.ScalarAsync<object>(script.ToString());

        var store = Store();
        await store.InitializeAsync(default);
        await store.WriteBatchAsync(Batch([Request(Start), Request(Start.AddSeconds(1), milliseconds: 3_000) with { Kind = RequestKind.WebSocket }]), default);

        var minute = RollupRange(Granularity.Minute, Start, Start.AddMinutes(1), includeSketches: true);
        var rows = (await store.ReadRequestRollupsAsync(minute, default).ToListAsync()).ToDictionary(r => r.Kind);
        Assert.Equal([RequestKind.Http, RequestKind.WebSocket], rows.Keys.Order());
        Assert.Equal((3L, 3L), (rows[RequestKind.Http].Count, rows[RequestKind.Http].Latency!.Count)); // the old row, added to
        Assert.Equal((1L, 3_000_000L), (rows[RequestKind.WebSocket].Count, rows[RequestKind.WebSocket].DurationMaxMicroseconds));
        Assert.Equal(RequestKind.Http, Assert.Single(await store.ReadErrorRollupsAsync(minute, default).ToListAsync()).Kind);
        Assert.Equal(PostgreSqlSchema.LatestVersion, await PostgresDatabase.ScalarAsync<int>($"SELECT max(version) FROM {quoted}.schema_version;"));
    }

    [Fact]
    public async Task ASchemaNewerThanThePackageFailsNamingIt()
    {
        await Store().InitializeAsync(default);
        await PostgresDatabase.ScalarAsync<object>($"INSERT INTO \"{_schema}\".schema_version (version) VALUES (999);");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store().InitializeAsync(default));

        Assert.Contains(_schema, error.Message, StringComparison.Ordinal);
        Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoDispatchersClaimingAtOnceNeverTakeTheSameMessage()
    {
        var first = Store();
        var second = Store();
        var messages = Enumerable.Range(0, 400).Select(i => new WebhookMessage
        {
            Id = $"msg_{i:D4}",
            SubscriptionId = "ops",
            EventType = WebhookEventTypes.Test,
            Payload = Encoding.UTF8.GetBytes("{}"),
            CreatedAt = Start.AddMilliseconds(i),
            NextAttemptAt = Start.AddMilliseconds(i),
        }).ToList();
        await first.EnqueueWebhookMessagesAsync(messages, default);

        // Each claimer waits after its first claim until the other has claimed too, so the two really interleave.
        var firstClaimed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondClaimed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<List<string>> ClaimAllAsync(PostgreSqlAnalyticsStore store, TaskCompletionSource mine, TaskCompletionSource theirs)
        {
            var claimed = new List<string>();
            while (await store.ClaimWebhookMessagesAsync(Start.AddHours(1), Start.AddHours(2), 7, default) is { Count: > 0 } batch)
            {
                claimed.AddRange(batch.Select(m => m.Id));
                mine.TrySetResult();
                await theirs.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            return claimed;
        }

        var results = await Task.WhenAll(
            Task.Run(() => ClaimAllAsync(first, firstClaimed, secondClaimed)),
            Task.Run(() => ClaimAllAsync(second, secondClaimed, firstClaimed)));

        Assert.Empty(results[0].Intersect(results[1]));
        Assert.Equal(messages.Select(m => m.Id).Order(), results[0].Concat(results[1]).Order());
        Assert.NotEmpty(results[0]);
        Assert.NotEmpty(results[1]);
    }

    [Fact]
    public async Task OneInstanceLeadsAndAnotherTakesOverWhenItStops()
    {
        var first = Store();
        var second = Store();

        Assert.True(await first.IsLeaderAsync(default));
        Assert.True(await first.IsLeaderAsync(default)); // still
        Assert.False(await second.IsLeaderAsync(default));

        await first.DisposeAsync();

        Assert.True(await second.IsLeaderAsync(default));
        Assert.False(await first.IsLeaderAsync(default)); // a disposed store never leads
    }

    [Fact]
    public async Task ALeaderWhoseSessionIsKilledLosesTheLeadToAnother()
    {
        var first = Store();
        var second = Store();
        Assert.True(await first.IsLeaderAsync(default));

        // The server ends the leader's session (a network partition, a failover): its advisory lock goes with it.
        await PostgresDatabase.ScalarAsync<object>(
            $"SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = hashtext('Analytics.PostgreSql leader {_schema}')::oid;");

        await Wait.UntilAsync(() => second.IsLeaderAsync(default), TimeSpan.FromSeconds(10), "the second instance took the lead");
        Assert.False(await first.IsLeaderAsync(default));
    }

    [Fact]
    public async Task TextPostgreSqlCannotHoldIsStoredReplacedInsteadOfFailingTheBatch()
    {
        var store = Store();
        var withNul = new EventRecord { Timestamp = Start, Name = "a\0b", UserId = "u\0", PropertiesJson = "{\"k\":\"v\"}" };

        await store.WriteBatchAsync(Batch([withNul]), default);

        var stored = Assert.Single(await store.ReadEventsAsync(new RawQuery(), default)).Event;
        Assert.Equal("a\uFFFDb", stored.Name);
        Assert.Equal("u\uFFFD", stored.UserId);
        var rollup = Assert.Single(await store.ReadEventRollupsAsync(RollupRange(Granularity.Day, Start.AddDays(-1), Start.AddDays(1)), default).ToListAsync());
        Assert.Equal("a\uFFFDb", rollup.Name);
    }

    [Fact]
    public void NulAndHalvesOfSurrogatePairsAreReplacedAndWholePairsKept()
    {
        // Built from chars: lone surrogates do not survive a theory's serialized data.
        Assert.Equal("a\uFFFDb", PostgreSqlAnalyticsStore.Text("a\0b"));
        Assert.Equal($"pair {High}{Low} kept", PostgreSqlAnalyticsStore.Text($"pair {High}{Low} kept"));
        Assert.Equal("high \uFFFD alone", PostgreSqlAnalyticsStore.Text($"high {High} alone"));
        Assert.Equal("low \uFFFD alone", PostgreSqlAnalyticsStore.Text($"low {Low} alone"));
        Assert.Equal("ends high \uFFFD", PostgreSqlAnalyticsStore.Text($"ends high {High}"));
        Assert.Equal("\uFFFD\uFFFD reversed", PostgreSqlAnalyticsStore.Text($"{Low}{High} reversed"));
        Assert.Equal($"{High}{Low}\uFFFD\uFFFD", PostgreSqlAnalyticsStore.Text($"{High}{Low}{High}\0"));
    }

    [Fact]
    public void CleanTextIsTheSameInstance()
    {
        var value = $"/items/42 {High}{Low}";
        Assert.Same(value, PostgreSqlAnalyticsStore.Text(value));
        Assert.Null(PostgreSqlAnalyticsStore.Text(null));
    }

    [Fact]
    public async Task AnUnreachableServerFailsTheWriteSoTheWriterRetriesIt()
    {
        var port = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        port.Start();
        var free = ((System.Net.IPEndPoint)port.LocalEndpoint).Port;
        port.Stop();
        await using var store = new PostgreSqlAnalyticsStore(
            Npgsql.NpgsqlDataSource.Create($"Host=127.0.0.1;Port={free};Username=nobody;Timeout=2"), ownsDataSource: true, _schema);

        await Assert.ThrowsAnyAsync<Npgsql.NpgsqlException>(() => store.WriteBatchAsync(Batch([Request(Start)]), default));
        await Assert.ThrowsAnyAsync<Npgsql.NpgsqlException>(() => store.PingAsync(default));
        Assert.False(await store.IsLeaderAsync(default));
    }

    private PostgreSqlAnalyticsStore Store()
    {
        var store = PostgresDatabase.CreateStore(_schema);
        _stores.Add(store);
        return store;
    }
}
