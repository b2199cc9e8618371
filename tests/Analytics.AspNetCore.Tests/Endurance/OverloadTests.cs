using System.Diagnostics;
using Analytics.Pipeline;
using Analytics.Storage;
using Analytics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Endurance;

/// <summary>
/// Producers offer records at far more than ten times what the writer can store, the way the middleware offers them
/// (<see cref="AnalyticsQueue.TryEnqueue(in RequestRecord)"/>, one new path string per record): no producer ever waits, every
/// refusal is counted, everything accepted is written, and the live heap stays flat because the queue is bounded.
/// </summary>
/// <remarks>The live heap is the whole test process's, so this runs alone (<see cref="MeasuredAloneCollection"/>).</remarks>
[Collection(MeasuredAloneCollection.Name)]
public class OverloadTests(ITestOutputHelper output)
{
    private const int QueueCapacity = 20_000;
    private const int BatchSize = 200;

    // The store's cost per batch, whatever its size: with 200-record batches the writer stores at most ~20 000 records/s
    // (measured 6 000–15 000: a 10 ms delay takes longer on a busy machine). The test measures it rather than trusting this.
    private static readonly TimeSpan BatchCost = TimeSpan.FromMilliseconds(10);

    private const int Producers = 3;
    private static readonly TimeSpan OverloadDuration = TimeSpan.FromSeconds(3);

    // Each producer stops after this many offers even if the clock never says so: the load ends by itself.
    private const long MaxOffersPerProducer = 50_000_000;

    // A queued request is an AnalyticsItem (~160 B inline in the channel's buffer) plus its path string (~60 B). The
    // baseline is taken once the queue is full, so a bounded queue adds nothing after it; the bound allows one more whole
    // queue at a generous 512 B a record (~10 MB) for the writer's batch in flight and GC noise. Anything kept per offer
    // (a leak on the drop path, an unbounded queue) would be millions of offers × tens of bytes: hundreds of MB.
    private const long MaxHeapGrowth = QueueCapacity * 512L;

    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ProducersFarAboveTheWritersCapacityNeverWaitDropsAreCountedAndTheHeapStaysFlat()
    {
        var logs = new FakeLogCollector();
        var store = new SlowStore(BatchCost);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(logs)));
        services.AddSingleton<Analytics.Live.ILiveMessageSerializer, Analytics.AspNetCore.Endpoints.LiveMessageSerializer>();
        AnalyticsCoreServices.Add(services);
        services.Configure<RequestAnalyticsOptions>(o =>
        {
            o.QueueCapacity = QueueCapacity;
            o.BatchSize = BatchSize;
            o.FlushInterval = TimeSpan.FromMilliseconds(50);
        });
        services.AddSingleton<IAnalyticsStore>(store);
        await using var provider = services.BuildServiceProvider();
        var queue = provider.GetRequiredService<AnalyticsQueue>();
        var writer = provider.GetRequiredService<AnalyticsWriter>();
        await writer.StartAsync(CancellationToken.None);

        // The writer's capacity, measured: half a queue offered at once (nothing can be refused), timed until it is stored.
        var timestamp = DateTimeOffset.UtcNow;
        const int Measured = QueueCapacity / 2;
        var measuring = Stopwatch.StartNew();
        for (var i = 0; i < Measured; i++)
        {
            Assert.True(queue.TryEnqueue(Record(timestamp, i)));
        }

        await queue.FlushAsync().AsTask().WaitAsync(Deadline);
        var capacity = Measured / measuring.Elapsed.TotalSeconds;
        Assert.Equal(0, queue.Dropped);
        output.WriteLine($"Writer capacity: {Measured:N0} records stored in {measuring.Elapsed.TotalMilliseconds:F0} ms = {capacity:N0} records/s ({store.Batches} batches).");

        // The overload: producers on their own threads offer as fast as they can for a bounded time.
        var offers = new long[Producers];
        var accepted = new long[Producers];
        var overload = Stopwatch.StartNew();
        var producers = Enumerable.Range(0, Producers).Select(p => Task.Factory.StartNew(
            () =>
            {
                long offered = 0, taken = 0;
                while (overload.Elapsed < OverloadDuration && offered < MaxOffersPerProducer)
                {
                    if (queue.TryEnqueue(Record(timestamp, (p * MaxOffersPerProducer) + offered)))
                    {
                        taken++;
                    }

                    offered++;
                }

                offers[p] = offered;
                accepted[p] = taken;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        var allProduced = Task.WhenAll(producers);

        // The heap, sampled from the first drop (the queue is full: warm-up is over) until the producers end. The sampler
        // competes with the producers for the two cores, so it may miss ticks; the first and the last sample are certain.
        var samples = new List<(TimeSpan At, long Heap, long Dropped, int Queued)>();
        await Wait.UntilAsync(() => queue.Dropped > 0 || allProduced.IsCompleted, Deadline, "the queue is full and refuses records");
        using (var timer = new PeriodicTimer(SampleEvery))
        {
            do
            {
                samples.Add((overload.Elapsed, LiveHeap(), queue.Dropped, queue.QueueLength));
            }
            while (!allProduced.IsCompleted && await timer.WaitForNextTickAsync());
        }

        await allProduced.WaitAsync(Deadline); // rethrows a producer's exception
        var elapsed = overload.Elapsed;
        samples.Add((elapsed, LiveHeap(), queue.Dropped, queue.QueueLength)); // the end of the overload, the queue still full
        var offered = offers.Sum();
        var offerRate = offered / elapsed.TotalSeconds;
        foreach (var (at, heap, dropped, queued) in samples)
        {
            output.WriteLine($"  {at.TotalSeconds,5:F2} s: live heap {SampleProbe.Megabytes(heap),6} MB, {dropped,12:N0} dropped, {queued,6:N0} queued");
        }

        output.WriteLine($"Overload: {Producers} producers offered {offered:N0} records in {elapsed.TotalSeconds:F2} s = {offerRate:N0}/s, {offerRate / capacity:F0}× the writer's capacity; accepted {queue.Accepted:N0}, dropped {queue.Dropped:N0}.");
        output.WriteLine($"Live heap: {SampleProbe.Megabytes(samples[0].Heap)} MB with the queue first full, {SampleProbe.Megabytes(samples[^1].Heap)} MB at the end, {SampleProbe.Megabytes(samples.Max(s => s.Heap))} MB at most ({samples.Count} samples; bound +{SampleProbe.Megabytes(MaxHeapGrowth)} MB).");

        // Had TryEnqueue waited for room, the producers could only have offered what the writer stored plus one queue.
        Assert.True(offerRate >= 10 * capacity, $"the producers offered {offerRate:N0}/s, less than 10× the writer's {capacity:N0}/s: something on the offer path waits");
        Assert.True(queue.Dropped > 0, "an overloaded queue must refuse records");
        Assert.Equal(Measured + offered, queue.Accepted + queue.Dropped);
        Assert.Equal(Measured + accepted.Sum(), queue.Accepted);
        Assert.InRange(samples[^1].Heap - samples[0].Heap, long.MinValue, MaxHeapGrowth);
        Assert.InRange(samples.Max(s => s.Heap) - samples[0].Heap, long.MinValue, MaxHeapGrowth);
        Assert.Contains(logs.GetSnapshot(), e => e.Id.Name == "RecordsDropped" && e.Level == LogLevel.Warning);

        await queue.FlushAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(queue.Accepted, queue.Written);
        Assert.Equal(queue.Accepted, store.Records);
        await writer.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// The heap as a full, compacting, blocking collection left it, read from that collection's own record: the
    /// producers allocate hundreds of MB/s, so a size read after the collection (GC.GetTotalMemory) would count megabytes
    /// of garbage allocated in the meantime.
    /// </summary>
    private static long LiveHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
    }

    private static RequestRecord Record(DateTimeOffset timestamp, long i) => new()
    {
        Timestamp = timestamp,
        Method = "GET",
        Route = "/items/{id}",
        Path = "/items/" + i, // a new string per record, as the middleware's request path is
        StatusCode = 200,
        Duration = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>A store that keeps nothing and takes a fixed time per batch, so the writer's capacity is known and small.</summary>
    private sealed class SlowStore(TimeSpan batchCost) : IAnalyticsStore
    {
        private long _records;
        private int _batches;

        public long Records => Interlocked.Read(ref _records);

        public int Batches => Volatile.Read(ref _batches);

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken)
        {
            await Task.Delay(batchCost, cancellationToken);
            Interlocked.Add(ref _records, batch.Requests.Count);
            Interlocked.Increment(ref _batches);
        }

        public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoredRequest>>([]);

        public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoredEvent>>([]);

        public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => AsyncEnumerable.Empty<RequestRollup>();

        public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => AsyncEnumerable.Empty<EventRollup>();

        public IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => AsyncEnumerable.Empty<ErrorRollup>();

        public Task<int> PurgeRawAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<int> PurgeRollupsAsync(Granularity granularity, DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
