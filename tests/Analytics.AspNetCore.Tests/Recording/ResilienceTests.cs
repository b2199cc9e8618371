using System.Net;
using Analytics.Pipeline;
using Analytics.Storage;
using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Analytics.AspNetCore.Tests.Recording;

public class ResilienceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static void MapApi(WebApplication app)
    {
        app.MapGet("/ok", () => "ok");
        app.MapGet("/missing", () => Results.NotFound());
        app.MapGet("/fail", string () => throw new InvalidOperationException("boom"));
    }

    [Fact]
    public async Task StoppingTheHostPersistsEveryAcceptedRecord()
    {
        await using var host = await AnalyticsTestHost.StartAsync(MapApi, o =>
        {
            o.FlushInterval = TimeSpan.FromHours(1); // nothing is written by the interval: only batches and the drain
            o.BatchSize = 5_000;
        });
        var tracker = host.App.Services.GetRequiredService<IAnalyticsTracker>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 1_500), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var response = await host.Client.GetAsync(i % 3 == 0 ? "/missing" : "/ok", ct);
        });
        for (var i = 0; i < 3_000; i++)
        {
            Assert.True(tracker.Track("job.finished"));
        }

        Assert.Equal(0, host.Pipeline.Written); // all of it still in memory: the stop alone must persist it
        var accepted = host.Pipeline.Accepted;
        await host.StopAsync().WaitAsync(Deadline);

        Assert.Equal(4_500, accepted);
        Assert.Equal(0, host.Pipeline.Dropped);
        using var connection = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM requests) + (SELECT count(*) FROM events);";
        Assert.Equal(accepted - host.Pipeline.Dropped, (long)command.ExecuteScalar()!);
    }

    [Fact]
    public async Task WhenTheStoreThrowsRequestsKeepTheirStatusDropsAreCountedAndWritingResumes()
    {
        var store = new FakeStore { Fail = true };
        await using var host = await AnalyticsTestHost.StartAsync(
            MapApi,
            o =>
            {
                o.QueueCapacity = 20;
                o.BatchSize = 10;
            },
            builder =>
            {
                builder.Services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(store));
                builder.Services.Replace(ServiceDescriptor.Singleton(new WriteBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), 1_000)));
            });

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/ok")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/missing")).StatusCode);
            Assert.Equal(HttpStatusCode.InternalServerError, (await host.Client.GetAsync("/fail")).StatusCode);
        }

        Assert.True(host.Pipeline.Dropped > 0, "a failing store with a 20-record queue must drop");
        Assert.Equal(300, host.Pipeline.Accepted + host.Pipeline.Dropped);
        var dropWarnings = host.Logs.GetSnapshot().Count(e => e.Id.Name == "RecordsDropped" && e.Level == LogLevel.Warning);
        Assert.InRange(dropWarnings, 1, 2); // hundreds of drops, one warning per ten seconds
        Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Name == "WriteFailed" && e.Level == LogLevel.Warning);

        store.Fail = false;
        await host.Client.GetAsync("/ok?after=recovery");
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal(host.Pipeline.Accepted, host.Pipeline.Written);
        Assert.Equal(host.Pipeline.Accepted, store.Requests.Count);
        Assert.Equal(0, host.Writer.ConsecutiveFailures);
    }

    [Fact]
    public async Task WhenTheSqliteFileCannotBeWrittenRequestsSucceedAndWritingResumesByItself()
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            MapApi,
            o => o.FlushInterval = TimeSpan.FromMilliseconds(50),
            builder => builder.Services.Replace(ServiceDescriptor.Singleton(new WriteBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), 1_000))));
        await host.Client.GetAsync("/ok");
        await host.Pipeline.FlushAsync();

        // Another connection holds the write lock: as root, file modes cannot make the file unwritable, a lock can.
        using (var locker = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False"))
        {
            locker.Open();
            using var begin = locker.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();

            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/ok")).StatusCode);
                Assert.Equal(HttpStatusCode.InternalServerError, (await host.Client.GetAsync("/fail")).StatusCode);
            }

            await Wait.UntilAsync(() => host.Writer.ConsecutiveFailures > 0, Deadline, "a write fails on the locked file");
        }

        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        Assert.Equal(41, (await StoredRequests.ReadAllAsync(host.DatabasePath)).Count);
        Assert.Equal(0, host.Pipeline.Dropped);
        Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Name == "WriteFailed" && e.Level == LogLevel.Warning);
        Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Name == "StoreRecovered");
    }
}
