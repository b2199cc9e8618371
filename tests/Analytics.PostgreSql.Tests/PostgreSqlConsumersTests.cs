using System.Text;
using Analytics.Storage;
using static Analytics.Testing.Conformance.TestData;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// Consumers and releases in the PostgreSQL store beyond the conformance suites: the columns migration 008 added, on a
/// schema an earlier version left with rows in it, and text PostgreSQL would refuse in the new columns.
/// </summary>
public sealed class PostgreSqlConsumersTests : IAsyncLifetime
{
    private readonly string _schema = PostgresDatabase.NewSchema();
    private PostgreSqlAnalyticsStore? _store;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await PostgresDatabase.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task RawRowsKeepTheirReleaseAndConsumerAndAreFilteredByThem()
    {
        var store = Store();
        await store.InitializeAsync(default);
        await store.WriteBatchAsync(Batch(
        [
            Request(Start) with { Release = "1.0", Consumer = "acme" },
            Request(Start.AddSeconds(1)) with { Release = "2.0", Consumer = "acme" },
            Request(Start.AddSeconds(2)) with { Release = "2.0", Consumer = "globex\uD800" },
            Request(Start.AddSeconds(3)) with { Release = "2.0" },
        ]), default);
        await store.WriteBatchAsync(Batch(
        [
            new EventRecord { Timestamp = Start, Name = "build", Release = "2.0", Consumer = "ci" },
            new EventRecord { Timestamp = Start, Name = "build", Release = "1.0" },
        ]), default);

        async Task<string[]> Requests(RawQuery query) =>
            [.. (await store.ReadRequestsAsync(query, default)).Select(r => $"{r.Request.Release}/{r.Request.Consumer}")];

        Assert.Equal(["2.0/", "2.0/globex\uFFFD", "2.0/acme", "1.0/acme"], await Requests(new RawQuery()));
        Assert.Equal(["2.0/acme", "1.0/acme"], await Requests(new RawQuery { Consumer = "acme" }));
        Assert.Equal(["2.0/acme"], await Requests(new RawQuery { Consumer = "acme", Release = "2.0" }));
        Assert.Equal(["2.0/", "2.0/globex\uFFFD", "2.0/acme"], await Requests(new RawQuery { Release = "2.0" }));
        var events = await store.ReadEventsAsync(new RawQuery { Consumer = "ci" }, default);
        Assert.Equal(("2.0", "ci"), (Assert.Single(events).Event.Release, events[0].Event.Consumer));
        Assert.Equal("1.0", Assert.Single(await store.ReadEventsAsync(new RawQuery { Release = "1.0" }, default)).Event.Release);
    }

    [Fact]
    public async Task AVersion7SchemaKeepsItsRollupsAsNoReleaseAndLaterBatchesAddToThemByRelease()
    {
        // A schema as the previous release left it: version 7, one minute of request rollups with no release column.
        var quoted = PostgreSqlSchema.Quote(_schema);
        var script = new StringBuilder($"CREATE SCHEMA {quoted}; CREATE TABLE {quoted}.schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());\n");
        foreach (var (version, resource) in PostgreSqlSchema.Migrations.Where(m => m.Version <= 7))
        {
            script.Append(PostgreSqlSchema.ReadScript(resource).Replace("{schema}", quoted, StringComparison.Ordinal))
                .Append($"\nINSERT INTO {quoted}.schema_version (version) VALUES ({version});\n");
        }

        var sketch = new LatencySketch();
        sketch.Add(10_000);
        var bucket = (Start - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        script.Append($$"""
            INSERT INTO {{quoted}}.request_rollups (granularity, bucket_start, route, method, status, environment, instance, count, errors,
                duration_sum_us, duration_min_us, duration_max_us, request_bytes, response_bytes, latency)
            VALUES (0, {{bucket}}, '/items/{id}', 'GET', 200, '', '', 1, 0, 10000, 10000, 10000, 0, 0, '\x{{Convert.ToHexString(sketch.ToBytes())}}');
            INSERT INTO {{quoted}}.requests (ts, method, route, path, status, duration_us, request_bytes, response_bytes, kind)
            VALUES ({{bucket}}, 'GET', '/items/{id}', '/items/1', 200, 10000, 0, 0, 0);
            """);
        await PostgresDatabase.ScalarAsync<object>(script.ToString());

        var store = Store();
        await store.InitializeAsync(default);
        await store.WriteBatchAsync(Batch([Request(Start.AddSeconds(1)), Request(Start.AddSeconds(2)) with { Release = "2.0" }]), default);

        var minute = RollupRange(Granularity.Minute, Start, Start.AddMinutes(1), includeSketches: true);
        var rows = (await store.ReadRequestRollupsAsync(minute, default).ToListAsync()).ToDictionary(r => r.Release ?? "(none)");
        Assert.Equal(["(none)", "2.0"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2L, 2L), (rows["(none)"].Count, rows["(none)"].Latency!.Count)); // the old row, added to
        Assert.Equal(1L, rows["2.0"].Count);
        var release = Assert.Single(await store.ReadRequestRollupsAsync(minute with { Release = "2.0" }, default).ToListAsync());
        Assert.Equal("2.0", release.Release);
        var old = await store.ReadRequestsAsync(new RawQuery { To = Start.AddTicks(1) }, default);
        Assert.Equal((null, null), (Assert.Single(old).Request.Release, old[0].Request.Consumer));
    }

    private PostgreSqlAnalyticsStore Store() => _store = PostgresDatabase.CreateStore(_schema);
}
