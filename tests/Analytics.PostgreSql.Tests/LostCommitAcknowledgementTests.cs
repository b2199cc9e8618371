using Analytics.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using static Analytics.Testing.Conformance.TestData;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// The real failure behind <c>written_batches</c>: a batch's COMMIT reaches the server and commits, but the answer is
/// lost with the connection (<see cref="LostAcknowledgementProxy"/> drops it after the server sent it), so the write
/// throws and is written again. With the same <see cref="AnalyticsBatch.Id"/> the rows are counted once; with a new id
/// (the control) the very same rows are counted twice, which shows the first attempt really did commit. And the real
/// writer in a host, whose first batch loses its acknowledgement, retries it once and counts every request once.
/// </summary>
public sealed class LostCommitAcknowledgementTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly Granularity[] Granularities = [Granularity.Minute, Granularity.Hour, Granularity.Day];

    private readonly string _schema = PostgresDatabase.NewSchema();
    private readonly LostAcknowledgementProxy _proxy =
        new(new NpgsqlConnectionStringBuilder(PostgresDatabase.ConnectionString).Port);

    private PostgreSqlAnalyticsStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new(NpgsqlDataSource.Create(_proxy.Through(PostgresDatabase.ConnectionString)), ownsDataSource: true, _schema);
        await _store.InitializeAsync(default).WaitAsync(Deadline);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _proxy.DisposeAsync();
        await PostgresDatabase.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task ABatchRetriedAfterItsCommitAcknowledgementWasLostIsCountedOnce()
    {
        var batch = MixedBatch();

        await WriteLosingTheAcknowledgementAsync(batch);
        await AssertCountedAsync(times: 1); // committed although the write threw

        await _store.WriteBatchAsync(batch, default).WaitAsync(Deadline); // the writer's retry, on a new connection

        await AssertCountedAsync(times: 1);
    }

    [Fact]
    public async Task TheSameRowsWrittenAgainUnderANewIdAfterALostAcknowledgementAreCountedTwice()
    {
        await WriteLosingTheAcknowledgementAsync(MixedBatch());

        await _store.WriteBatchAsync(MixedBatch(), default).WaitAsync(Deadline);

        await AssertCountedAsync(times: 2);
    }

    [Fact]
    public async Task TheWriterRetriesABatchWhoseAcknowledgementWasLostAndCountsEveryRequestOnce()
    {
        const int Requests = 25;
        var dropped = _proxy.DropNextCommitAcknowledgementAsync();
        await using var dataSource = NpgsqlDataSource.Create(_proxy.Through(PostgresDatabase.ConnectionString));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddFakeLogging();
        builder.Services.AddRequestAnalytics(o => o.FlushInterval = TimeSpan.FromMilliseconds(50)).UsePostgreSql(dataSource, _schema);
        await using var app = builder.Build();
        app.UseRequestAnalytics();
        app.MapGet("/items/{id:int}", (int id) => Results.Ok(new { id }));
        await app.StartAsync().WaitAsync(Deadline);
        var startedAt = DateTimeOffset.UtcNow;
        using var client = new HttpClient
        {
            BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
        };

        for (var i = 0; i < Requests; i++)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync($"/items/{i}").WaitAsync(Deadline)).StatusCode);
        }

        await app.Services.GetRequiredService<IAnalyticsPipeline>().FlushAsync(default).AsTask().WaitAsync(Deadline);
        await WithinDeadlineAsync(dropped);
        await app.StopAsync().WaitAsync(Deadline);

        await using var reader = PostgresDatabase.CreateStore(_schema);
        Assert.Equal(Requests, (await reader.ReadRequestsAsync(new RawQuery { Limit = 1_000 }, default)).Count);
        foreach (var granularity in Granularities)
        {
            var range = RollupRange(granularity, startedAt.AddDays(-1), startedAt.AddDays(1));
            Assert.Equal(Requests, (await reader.ReadRequestRollupsAsync(range, default).ToListAsync()).Sum(r => r.Count));
        }

        var logs = app.Services.GetFakeLogCollector().GetSnapshot();
        var failed = Assert.Single(logs, r => r.Id.Name == "WriteFailed");
        Assert.IsAssignableFrom<NpgsqlException>(failed.Exception);
        Assert.Single(logs, r => r.Id.Name == "StoreRecovered");
        Assert.DoesNotContain(logs, r => r.Id.Name == "BatchAbandoned");
    }

    private async Task WriteLosingTheAcknowledgementAsync(AnalyticsBatch batch)
    {
        var commitsBefore = _proxy.Commits;
        var dropped = _proxy.DropNextCommitAcknowledgementAsync();

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => _store.WriteBatchAsync(batch, default).WaitAsync(Deadline));

        await WithinDeadlineAsync(dropped); // the server did answer the COMMIT, and the answer went nowhere
        Assert.Equal(commitsBefore + 1, _proxy.Commits);
    }

    /// <summary>Waits for the drop; if it never comes, fails with the relay's own faults, which say why.</summary>
    private async Task WithinDeadlineAsync(Task dropped)
    {
        if (await Task.WhenAny(dropped, Task.Delay(Deadline)) != dropped)
        {
            Assert.Fail($"The COMMIT's answer was not dropped within {Deadline.TotalSeconds} s.{_proxy.DescribeFaults()}");
        }
    }

    // Ten requests (two failed) and three events within one minute, as the conformance suite's retried batch.
    private static AnalyticsBatch MixedBatch()
    {
        var batch = new AnalyticsBatch();
        for (var i = 0; i < 10; i++)
        {
            batch.AddRequest(Request(Start.AddSeconds(i), status: i % 5 == 0 ? 500 : 200, milliseconds: 10 + i));
        }

        for (var i = 0; i < 3; i++)
        {
            batch.AddEvent(new EventRecord { Timestamp = Start.AddSeconds(i), Name = "deployment", Duration = TimeSpan.FromSeconds(i + 1) });
        }

        return batch;
    }

    private async Task AssertCountedAsync(int times)
    {
        // Read directly, not through the proxy.
        await using var reader = PostgresDatabase.CreateStore(_schema);
        Assert.Equal(10 * times, (await reader.ReadRequestsAsync(new RawQuery { Limit = 1_000 }, default)).Count);
        Assert.Equal(3 * times, (await reader.ReadEventsAsync(new RawQuery { Limit = 1_000 }, default)).Count);
        foreach (var granularity in Granularities)
        {
            var range = RollupRange(granularity, Start.AddDays(-1), Start.AddDays(1));
            Assert.Equal(10 * times, (await reader.ReadRequestRollupsAsync(range, default).ToListAsync()).Sum(r => r.Count));
            Assert.Equal(2 * times, (await reader.ReadErrorRollupsAsync(range, default).ToListAsync()).Sum(r => r.Count));
            Assert.Equal(3 * times, (await reader.ReadEventRollupsAsync(range, default).ToListAsync()).Sum(r => r.Count));
        }
    }
}
