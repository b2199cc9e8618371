using Analytics.Sqlite;
using Analytics.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Analytics.AspNetCore.Tests.Faults;

/// <summary>
/// Where no tmpfs can be mounted: an in-process host whose SQLite store fails every batch, while "full", with the error
/// SQLite gives for a full disk (SQLITE_FULL, 13), as the real file would.
/// </summary>
internal sealed class StoreDoubleRig : IDiskFullRig
{
    private readonly AnalyticsTestHost _host;
    private readonly FullDiskStore _store;

    private StoreDoubleRig(AnalyticsTestHost host, FullDiskStore store)
    {
        _host = host;
        _store = store;
    }

    public string Origin => _host.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);

    public string MemoryKind => "the test process's live heap";

    public IReadOnlyList<string> FailedWrites =>
        [.. _host.Logs.GetSnapshot().Where(e => e.Id.Name == "WriteFailed").Select(e => $"{e.Message} {e.Exception?.Message}")];

    public bool SawDiskFull => _host.Logs.GetSnapshot().Any(e => e.Exception is SqliteException { SqliteErrorCode: 13 });

    public static async Task<StoreDoubleRig> StartAsync(string folder)
    {
        var path = Path.Combine(folder, "faults.db");
        var store = new FullDiskStore(new SqliteAnalyticsStore(path));
        var host = await AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet(FaultLoad.OrdersRoute, (string userId, int orderId) => Results.Ok());
                app.MapGet("/flaky", () => Results.StatusCode(500));
            },
            o =>
            {
                o.FlushInterval = DiskFullTests.FlushInterval;
                o.QueueCapacity = DiskFullTests.QueueCapacity;
                o.BatchSize = DiskFullTests.BatchSize;
            },
            builder => builder.Services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore>(store)),
            databasePath: path);
        return new StoreDoubleRig(host, store);
    }

    public Task<PipelineCounters> CountersAsync()
    {
        var pipeline = _host.Pipeline;
        return Task.FromResult(new PipelineCounters(pipeline.Accepted, pipeline.Dropped, pipeline.Written, pipeline.QueueLength));
    }

    public long MemoryBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
    }

    public Task FillAsync()
    {
        _store.Full = true;
        return Task.CompletedTask;
    }

    public Task FreeAsync()
    {
        _store.Full = false;
        return Task.CompletedTask;
    }

    public async Task<string> SnapshotAsync(string folder)
    {
        await _host.StopAsync();
        _store.Inner.Dispose(); // registered as an instance, so the host leaves it open
        Directory.CreateDirectory(folder);
        foreach (var suffix in new[] { "", "-wal" })
        {
            if (File.Exists(_store.Inner.FilePath + suffix))
            {
                File.Copy(_store.Inner.FilePath + suffix, Path.Combine(folder, "faults.db" + suffix));
            }
        }

        return Path.Combine(folder, "faults.db");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _store.Inner.Dispose();
    }

    /// <summary>The SQLite store, failing its batches as a full disk makes it while <see cref="Full"/> is set.</summary>
    private sealed class FullDiskStore(SqliteAnalyticsStore inner) : IAnalyticsStore
    {
        public volatile bool Full;

        public SqliteAnalyticsStore Inner => inner;

        public StoreCapabilities Capabilities => inner.Capabilities;

        public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

        public Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken) =>
            Full
                ? Task.FromException(new SqliteException("SQLite Error 13: 'database or disk is full'.", 13))
                : inner.WriteBatchAsync(batch, cancellationToken);

        public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) =>
            inner.ReadRequestsAsync(query, cancellationToken);

        public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken) =>
            inner.ReadEventsAsync(query, cancellationToken);

        public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken) =>
            inner.ReadRequestRollupsAsync(query, cancellationToken);

        public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken) =>
            inner.ReadEventRollupsAsync(query, cancellationToken);

        public IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken) =>
            inner.ReadErrorRollupsAsync(query, cancellationToken);

        public Task<int> PurgeRawAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken) =>
            inner.PurgeRawAsync(cutoff, maxRows, cancellationToken);

        public Task<int> PurgeRollupsAsync(Granularity granularity, DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken) =>
            inner.PurgeRollupsAsync(granularity, cutoff, maxRows, cancellationToken);

        public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);
    }
}
