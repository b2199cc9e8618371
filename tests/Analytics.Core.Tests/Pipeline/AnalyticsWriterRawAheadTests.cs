using Analytics.Pipeline;
using Analytics.Storage;
using Analytics.Testing;

namespace Analytics.Tests.Pipeline;

/// <summary>
/// Raw rows ahead of their rollups (AnalyticsWriter.RawAhead.cs): for a store that declares
/// <see cref="StoreCapabilities.RawAhead"/>, full batches of raw rows commit on their own and the rollups once per
/// interval or flush; rows a stop left ahead are folded before anything else is written.
/// </summary>
public class AnalyticsWriterRawAheadTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FullBatchesOfRawRowsGoAheadAndTheirRollupsAreWrittenOnceWhenAFlushAsks()
    {
        await using var harness = RawAheadHarness(TimeSpan.FromHours(1));
        await harness.StartAsync();
        Enqueue(harness, 0, 35);
        await Wait.UntilAsync(() => harness.Store.Requests.Count == 30, Deadline, "three full batches of raw rows are written");

        Assert.Empty(harness.Store.RequestRollups); // the rollups wait for the interval or a flush
        Assert.Equal(0, harness.Pipeline.Written); // records count as written with their rollups
        var ahead = await RawAhead(harness.Store);
        Assert.NotNull(ahead);
        Assert.Equal(30, ahead.Requests.Count);

        await harness.Pipeline.FlushAsync();

        Assert.Equal(Enumerable.Range(0, 35).Select(i => $"/items/{i}"), harness.Store.Requests.Select(r => r.Path));
        Assert.Equal(35, MinuteCount(harness.Store));
        Assert.Equal(35, harness.Pipeline.Written);
        Assert.Equal(4, harness.Store.BatchesWritten); // three raw-ahead batches and one with the five rows and every rollup
        Assert.Null(await RawAhead(harness.Store));
    }

    [Fact]
    public async Task TheRollupsOfRawRowsSentAheadAreWrittenWhenTheIntervalEndsWithoutAFlush()
    {
        await using var harness = RawAheadHarness(TimeSpan.FromMilliseconds(200));
        await harness.StartAsync();
        Enqueue(harness, 0, 30);

        await Wait.UntilAsync(() => MinuteCount(harness.Store) == 30, Deadline, "the interval's end writes the rollups");
        Assert.Equal(30, harness.Store.Requests.Count);
        Assert.Null(await RawAhead(harness.Store));
    }

    [Fact]
    public async Task AStoreWithoutTheCapabilityGetsEveryBatchWithItsRollups()
    {
        await using var harness = new PipelineHarness(o =>
        {
            o.BatchSize = 10;
            o.FlushInterval = TimeSpan.FromHours(1);
        });
        await harness.StartAsync();
        Enqueue(harness, 0, 30);

        await Wait.UntilAsync(() => harness.Store.BatchesWritten == 3, Deadline, "three full batches are written");
        Assert.Equal(30, MinuteCount(harness.Store));
        Assert.Equal(30, harness.Pipeline.Written);
    }

    [Fact]
    public async Task RawRowsAStopLeftAheadOfTheirRollupsAreFoldedBeforeTheFirstBatch()
    {
        var store = new FakeStore(allCapabilities: true);
        var left = new AnalyticsBatch { RawAhead = true };
        for (var i = 0; i < 3; i++)
        {
            left.AddRequest(PipelineHarness.Request(i, status: i == 2 ? 500 : 200));
        }

        left.AddEvent(new EventRecord { Timestamp = DateTimeOffset.UnixEpoch, Name = "signup" });
        await store.WriteBatchAsync(left, default); // committed; the process stopped before their rollups

        await using var harness = new PipelineHarness(o => o.FlushInterval = TimeSpan.FromHours(1), store: store);
        await harness.StartAsync();
        Enqueue(harness, 3, 1);
        await harness.Pipeline.FlushAsync();

        Assert.Equal(4, store.Requests.Count); // folded, not written again
        Assert.Equal(4, MinuteCount(store));
        var errors = await store.ReadErrorRollupsAsync(
            new RollupQuery { Granularity = Granularity.Minute, From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.UnixEpoch.AddHours(1) },
            default).ToListAsync();
        Assert.Equal(1, errors.Sum(e => e.Count));
        var events = await store.ReadEventRollupsAsync(
            new RollupQuery { Granularity = Granularity.Minute, From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.UnixEpoch.AddHours(1) },
            default).ToListAsync();
        Assert.Equal(1, events.Sum(e => e.Count));
        Assert.Null(await RawAhead(store));
        Assert.Equal(1, harness.Pipeline.Written); // the folded rows were counted by the process that accepted them
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Id.Name == "RollupsCaughtUp" && e.Message.Contains("3 requests and 1 events"));
    }

    [Fact]
    public async Task WhenTheBatchWithTheRollupsIsGivenUpTheRawRowsSentAheadAreFoldedBeforeTheNextWrite()
    {
        await using var harness = await GiveUpTheRollupsOfRowsSentAheadAsync(fullBatches: 2);
        Enqueue(harness, 25, 12); // ten go ahead at once: the catch-up must come first, or they would be folded twice
        await harness.Pipeline.FlushAsync();

        Assert.Equal(
            Enumerable.Range(0, 20).Concat(Enumerable.Range(25, 12)).Select(i => $"/items/{i}"),
            harness.Store.Requests.Select(r => r.Path));
        Assert.Equal(32, MinuteCount(harness.Store)); // the rollups are the sums of the raw rows again
        Assert.Null(await RawAhead(harness.Store));
        Assert.Equal(25, harness.Pipeline.Dropped);
    }

    [Fact]
    public async Task AFlushWithNothingNewFoldsTheRawRowsAGivenUpBatchLeftAhead()
    {
        await using var harness = await GiveUpTheRollupsOfRowsSentAheadAsync(fullBatches: 1);

        await harness.Pipeline.FlushAsync();

        Assert.Equal(10, MinuteCount(harness.Store));
        Assert.Null(await RawAhead(harness.Store));
    }

    [Fact]
    public async Task BelowARawSampleRateOfOneEveryBatchCarriesItsRollups()
    {
        // The raw rows would not be the whole traffic to fold again after a stop.
        await using var harness = RawAheadHarness(TimeSpan.FromHours(1), rawSampleRate: 0.9999);
        await harness.StartAsync();
        Enqueue(harness, 0, 30);
        await harness.Pipeline.FlushAsync();

        Assert.Equal(0, harness.Store.RawAheadBatches);
        Assert.Equal(30, MinuteCount(harness.Store));
    }

    [Fact]
    public async Task AFoldOfRowsLeftAheadThatKeepsFailingIsGivenUpWithItsBatchAndWritingGoesOn()
    {
        var store = new CatchUpFailingStore();
        var left = new AnalyticsBatch { RawAhead = true };
        left.AddRequest(PipelineHarness.Request(0));
        await store.WriteBatchAsync(left, default);
        await using var harness = RawAheadHarness(TimeSpan.FromHours(1), GiveUpAfterTwoAttempts, store);
        await harness.StartAsync();

        Enqueue(harness, 1, 1);
        await harness.Pipeline.FlushAsync(); // every attempt fails in the fold of the row left ahead: given up with it
        Enqueue(harness, 2, 1);
        await harness.Pipeline.FlushAsync();

        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Id.Name == "RollupsCatchUpAbandoned");
        Assert.Equal(["/items/0", "/items/2"], store.Requests.Select(r => r.Path));
        Assert.Equal(1, MinuteCount(store)); // the row left ahead stays without rollups
        Assert.Equal(1, harness.Pipeline.Dropped);
        Assert.Equal(1, harness.Pipeline.Written);
    }

    private static WriteBackoff GiveUpAfterTwoAttempts => new(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), maxAttempts: 2);

    // Batches of 10 raw rows, over a store that declares every capability, RawAhead among them.
    private static PipelineHarness RawAheadHarness(
        TimeSpan flushInterval, WriteBackoff? backoff = null, FakeStore? store = null, double rawSampleRate = 1) => new(
        o =>
        {
            o.BatchSize = 10;
            o.FlushInterval = flushInterval;
            o.RawSampleRate = rawSampleRate;
        },
        backoff,
        store: store ?? new FakeStore(allCapabilities: true));

    // Full batches of 10 raw rows go ahead; then the batch with five more rows and all the rollups is given up.
    private static async Task<PipelineHarness> GiveUpTheRollupsOfRowsSentAheadAsync(int fullBatches)
    {
        var harness = RawAheadHarness(TimeSpan.FromHours(1), backoff: GiveUpAfterTwoAttempts);
        await harness.StartAsync();
        Enqueue(harness, 0, (fullBatches * 10) + 5);
        await Wait.UntilAsync(
            () => harness.Store.Requests.Count == fullBatches * 10, Deadline, "the full batches of raw rows are written");
        harness.Store.Fail = true;
        await harness.Pipeline.FlushAsync();
        harness.Store.Fail = false;
        return harness;
    }

    private static Task<RawAheadRows?> RawAhead(FakeStore store) =>
        ((IRawAheadStore)store).ReadRawAheadAsync(CancellationToken.None);

    private static long MinuteCount(FakeStore store) =>
        store.RequestRollups.Where(r => r.Granularity == Granularity.Minute).Sum(r => r.Count);

    private static void Enqueue(PipelineHarness harness, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            Assert.True(harness.Queue.TryEnqueue(PipelineHarness.Request(i)));
        }
    }

    // A store whose rows left ahead cannot be read back, every time.
    private sealed class CatchUpFailingStore() : FakeStore(allCapabilities: true), IRawAheadStore
    {
        Task<RawAheadRows?> IRawAheadStore.ReadRawAheadAsync(CancellationToken cancellationToken) =>
            throw new IOException("The rows ahead cannot be read.");
    }
}
