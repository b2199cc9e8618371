using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The promise of a store whose commit can take effect although <see cref="IAnalyticsStore.WriteBatchAsync"/> throws,
/// as a database server's can when the connection breaks between the commit and its acknowledgement: the writer then
/// writes the batch again, with the same <see cref="AnalyticsBatch.Id"/>, and the store must count it once. Derive a
/// class from this suite for such a store; a store that commits locally (an SQLite file) cannot fail after its own
/// commit and need not.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
/// <example>
/// <code>
/// public sealed class MyRetriedBatchConformanceTests : RetriedBatchConformanceTests&lt;MyStoreFactory&gt;;
/// </code>
/// </example>
public abstract class RetriedBatchConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    private static readonly Granularity[] Granularities = [Granularity.Minute, Granularity.Hour, Granularity.Day];

    /// <summary>
    /// A batch written again after its commit (the retry after a lost acknowledgement) adds no raw row, no event and
    /// nothing to the rollups of any granularity, per-consumer rollups included.
    /// </summary>
    [Fact]
    public async Task ABatchWrittenAgainWithTheSameIdIsCountedOnce()
    {
        var batch = MixedBatch();

        await Store.WriteBatchAsync(batch, default);
        await Store.WriteBatchAsync(batch, default);

        await AssertCountedAsync(times: 1);
    }

    /// <summary>
    /// Only the id tells a retry: a new batch with the very same rows is new traffic and is counted again.
    /// </summary>
    [Fact]
    public async Task ABatchWithTheSameRowsButANewIdIsCountedAgain()
    {
        await Store.WriteBatchAsync(MixedBatch(), default);
        await Store.WriteBatchAsync(MixedBatch(), default);

        await AssertCountedAsync(times: 2);
    }

    // Ten requests (two failed, seven from consumers) and three events within one minute.
    private static AnalyticsBatch MixedBatch()
    {
        var batch = new AnalyticsBatch();
        for (var i = 0; i < 10; i++)
        {
            batch.AddRequest(Request(Start.AddSeconds(i), status: i % 5 == 0 ? 500 : 200, milliseconds: 10 + i) with
            {
                Consumer = i < 7 ? $"consumer-{i % 2}" : null,
            });
        }

        for (var i = 0; i < 3; i++)
        {
            batch.AddEvent(new EventRecord { Timestamp = Start.AddSeconds(i), Name = "deployment", Duration = TimeSpan.FromSeconds(i + 1) });
        }

        return batch;
    }

    private async Task AssertCountedAsync(int times)
    {
        Assert.Equal(10 * times, (await Store.ReadRequestsAsync(new RawQuery { Limit = 1_000 }, default)).Count);
        Assert.Equal(3 * times, (await Store.ReadEventsAsync(new RawQuery { Limit = 1_000 }, default)).Count);
        foreach (var granularity in Granularities)
        {
            var range = RollupRange(granularity, Start.AddDays(-1), Start.AddDays(1));
            Assert.Equal(10 * times, (await Store.ReadRequestRollupsAsync(range, default).ToListAsync()).Sum(r => r.Count));
            Assert.Equal(2 * times, (await Store.ReadErrorRollupsAsync(range, default).ToListAsync()).Sum(r => r.Count));
            Assert.Equal(3 * times, (await Store.ReadEventRollupsAsync(range, default).ToListAsync()).Sum(r => r.Count));
            if (Store.Capabilities?.Consumers is { } consumers)
            {
                Assert.Equal(7 * times, (await consumers.ReadConsumerRollupsAsync(range, default).ToListAsync()).Sum(r => r.Count));
            }
        }
    }
}
