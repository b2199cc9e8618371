using System.Text;
using Analytics.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
        var old = await store.ReadRequestsAsync(new RawQuery { To = Start.AddMilliseconds(1) }, default);
        Assert.Equal((null, null), (Assert.Single(old).Request.Release, old[0].Request.Consumer));
    }

    [Fact]
    public async Task PerConsumerRollupsAddUpAcrossBatchesFilterAndArePurgedWithTheOtherRollups()
    {
        var store = Store();
        await store.InitializeAsync(default);
        Assert.Same(store, store.Capabilities.Consumers);
        RequestRecord Call(int second, string? consumer, string release = "2.0", int status = 200) =>
            Request(Start.AddSeconds(second), status: status, milliseconds: 10 + second) with { Consumer = consumer, Release = release };

        var first = Batch([Call(1, "acme"), Call(2, "acme", status: 500), Call(3, "globex"), Call(4, null)]);
        await store.WriteBatchAsync(first, default);
        await store.WriteBatchAsync(first, default); // a retry of a committed batch: counted once
        await store.WriteBatchAsync(Batch([Call(5, "acme", release: "1.0"), Call(6, "globex")]), default);

        var minute = RollupRange(Granularity.Minute, Start, Start.AddMinutes(1), includeSketches: true) with { IncludeCardinality = true };
        var all = await store.ReadConsumerRollupsAsync(minute, default).ToListAsync();
        var byConsumer = all.GroupBy(r => r.Consumer!).ToDictionary(g => g.Key, g => (g.Sum(r => r.Count), g.Sum(r => r.Errors)));
        Assert.Equal(new Dictionary<string, (long, long)> { ["acme"] = (3, 1), ["globex"] = (2, 0) }, byConsumer);
        Assert.All(all, r => Assert.Equal(r.Count, r.Latency!.Count));
        Assert.All(all, r => Assert.Null(r.Consumers));

        var acme = await store.ReadConsumerRollupsAsync(minute with { Consumer = "acme", Release = "2.0" }, default).ToListAsync();
        Assert.Equal(2, acme.Sum(r => r.Count));
        Assert.All(acme, r => Assert.Equal(("acme", "2.0"), (r.Consumer, r.Release)));

        var requests = await store.ReadRequestRollupsAsync(minute with { Consumer = "acme" }, default).ToListAsync();
        Assert.Equal(6, requests.Sum(r => r.Count)); // request rollups count everyone, whatever consumer= says
        var consumers = new CardinalitySketch();
        foreach (var row in requests.Where(r => r.Consumers is not null))
        {
            consumers.Merge(row.Consumers!);
        }

        Assert.Equal(2L, consumers.Estimate());
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            await store.PurgeRollupsAsync(granularity, Start.AddDays(2), 10_000, default);
        }

        Assert.Empty(await store.ReadConsumerRollupsAsync(minute, default).ToListAsync());
        Assert.Equal(0L, await PostgresDatabase.ScalarAsync<long>($"SELECT count(*) FROM \"{_schema}\".consumer_rollups;"));
    }

    [Fact]
    public async Task AHostRecordsConsumersReleaseAndNamedKeyEventsWithTheCapAsOther()
    {
        const string Key = "billing-key-0123456789abcdef";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRequestAnalytics(o =>
            {
                o.ConsumerHeader = "X-Client-Id";
                o.MaxConsumersPerBucket = 2;
                o.Release = "3.1";
                o.NamedIngestKeys["billing"] = Key;
            })
            .UsePostgreSql(PostgresDatabase.ConnectionString, _schema);
        await using var app = builder.Build();
        app.UseRequestAnalytics();
        app.MapGet("/items/{id:int}", (int id) => Results.Ok(new { id }));
        app.MapRequestAnalytics("/analytics");
        await app.StartAsync();
        using var client = new HttpClient
        {
            BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
        };

        // Read by the day below: a minute boundary between two requests would give the later minute a fresh cap.
        foreach (var consumer in new[] { "acme", "acme", "globex", "acme", "globex", "initech" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/items/1");
            request.Headers.Add("X-Client-Id", consumer);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        }

        using var post = new HttpRequestMessage(HttpMethod.Post, "/analytics/api/events")
        {
            Content = new StringContent("""{ "name": "invoice" }""", Encoding.UTF8, "application/json"),
        };
        post.Headers.Add("X-Analytics-Key", Key);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.SendAsync(post)).StatusCode);
        await app.Services.GetRequiredService<IAnalyticsPipeline>().FlushAsync(default);

        var store = app.Services.GetRequiredService<IAnalyticsStore>();
        var raw = await store.ReadRequestsAsync(new RawQuery(), default);
        Assert.Equal(["acme", "acme", "globex", "acme", "globex", "initech"], raw.Reverse().Select(r => r.Request.Consumer));
        Assert.All(raw, r => Assert.Equal("3.1", r.Request.Release));
        var invoice = Assert.Single(await store.ReadEventsAsync(new RawQuery(), default)).Event;
        Assert.Equal(("billing", "3.1"), (invoice.Consumer, invoice.Release));

        var now = DateTimeOffset.UtcNow;
        var day = new RollupQuery { Granularity = Granularity.Day, From = now.AddDays(-2), To = now.AddDays(1) };
        var perConsumer = await store.Capabilities.Consumers!.ReadConsumerRollupsAsync(day, default).ToListAsync();
        var counts = perConsumer.GroupBy(r => r.Consumer!).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        Assert.Equal(new Dictionary<string, long> { ["acme"] = 3, ["globex"] = 2, ["(other)"] = 1 }, counts);
        Assert.All(perConsumer, r => Assert.Equal("3.1", r.Release));
        await app.StopAsync();
    }

    private PostgreSqlAnalyticsStore Store() => _store = PostgresDatabase.CreateStore(_schema);
}
