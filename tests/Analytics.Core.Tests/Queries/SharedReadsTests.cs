using Analytics.Queries;
using Analytics.Rollups;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.Extensions.Options;

namespace Analytics.Tests.Queries;

/// <summary>
/// The overview, the time series and the routes of one range asked at the same moment share one rollup read; a read
/// that has completed is never reused, and a caller that gives up does not cancel the others.
/// </summary>
public sealed class SharedReadsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly AnalyticsQuery Range = new() { From = Now.AddHours(-24), To = Now };

    [Fact]
    public async Task ConcurrentQueriesOfOneRangeShareOneReadAndAnswerAsIfAlone()
    {
        var store = await GatedStore.WithTrafficAsync();
        var queries = Create(store);
        var alone = (await queries.GetOverviewAsync(Range, default), await queries.GetTimeSeriesAsync(Range, default), await queries.GetRoutesAsync(Range, default));
        Assert.Equal(3, store.Reads);

        store.Close();
        var overview = queries.GetOverviewAsync(Range, default);
        var series = queries.GetTimeSeriesAsync(Range, default);
        var routes = queries.GetRoutesAsync(Range, default);
        await store.WaitForReadersAsync(1);
        store.Open();

        Assert.Equivalent(alone.Item1, await overview, strict: true);
        Assert.Equivalent(alone.Item2, await series, strict: true);
        Assert.Equivalent(alone.Item3, await routes, strict: true);
        Assert.Equal(4, store.Reads); // one more, for all three

        // Once it has completed, a read is not reused: the next query reads again and sees what was written since.
        await store.WriteBatchAsync(TestData.Batch([TestData.Request(Now.AddMinutes(-5))]), default);
        var after = await queries.GetOverviewAsync(Range, default);
        Assert.Equal(5, store.Reads);
        Assert.Equal(alone.Item1.TotalRequests + 1, after.TotalRequests);
    }

    [Fact]
    public async Task ACallerThatGivesUpDoesNotCancelTheReadTheOthersWaitFor()
    {
        var store = await GatedStore.WithTrafficAsync();
        var queries = Create(store);
        var expected = await queries.GetOverviewAsync(Range, default);

        store.Close();
        using var cancel = new CancellationTokenSource();
        var givingUp = queries.GetOverviewAsync(Range, cancel.Token);
        var waiting = queries.GetOverviewAsync(Range, default);
        await store.WaitForReadersAsync(1);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => givingUp);
        store.Open();

        Assert.Equal(expected.TotalRequests, (await waiting).TotalRequests);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task AFailedReadFailsItsWaitersAndTheNextQueryReadsAgain()
    {
        var store = await GatedStore.WithTrafficAsync();
        var queries = Create(store);

        store.FailNextRead = true;
        await Assert.ThrowsAsync<IOException>(() => queries.GetOverviewAsync(Range, default));
        var overview = await queries.GetOverviewAsync(Range, default);

        Assert.True(overview.TotalRequests > 0);
        Assert.Equal(2, store.Reads);
    }

    private static AnalyticsQueries Create(IAnalyticsStore store) =>
        new(store, Options.Create(new RequestAnalyticsOptions()), new FakeTimeProvider(Now));

    /// <summary>A fake store whose rollup reads can be held open, so that queries overlap for certain.</summary>
    private sealed class GatedStore : FakeStore
    {
        private readonly SemaphoreSlim _started = new(0);
        private volatile TaskCompletionSource _gate = CompletedGate();
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public bool FailNextRead { get; set; }

        public static async Task<GatedStore> WithTrafficAsync()
        {
            var store = new GatedStore();
            string[] routes = ["/a", "/b", "/c"];
            await store.WriteBatchAsync(
                TestData.Batch(Enumerable.Range(0, 600).Select(i => TestData.Request(Now.AddMinutes(-i * 2), route: routes[i % 3], status: i % 10 == 0 ? 500 : 200, milliseconds: i % 50))),
                default);
            return store;
        }

        public void Close()
        {
            while (_started.Wait(0))
            {
                // forget the reads that started before: WaitForReadersAsync counts from here
            }

            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Open() => _gate.TrySetResult();

        public async Task WaitForReadersAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                Assert.True(await _started.WaitAsync(TimeSpan.FromSeconds(10)), "a read started");
            }
        }

        public override async IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            _started.Release();
            await _gate.Task.WaitAsync(cancellationToken);
            if (FailNextRead)
            {
                FailNextRead = false;
                throw new IOException("The store failed mid-read.");
            }

            await foreach (var row in base.ReadRequestRollupsAsync(query, cancellationToken))
            {
                yield return row;
            }
        }

        private static TaskCompletionSource CompletedGate()
        {
            var gate = new TaskCompletionSource();
            gate.SetResult();
            return gate;
        }
    }
}
