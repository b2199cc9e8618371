using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The suite of <see cref="StoreCapabilities.RawAhead"/> (<see cref="IRawAheadStore"/>): raw rows committed ahead of their
/// rollups are read back, from the first such batch since the last catch-up, until a batch catches up. Derive a public
/// class from it, for the same factory as <see cref="AnalyticsStoreConformanceTests{TFactory}"/>, when the store declares
/// the capability.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
public abstract class RawAheadStoreConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    private IRawAheadStore RawAhead => Declared(static c => c.RawAhead, nameof(StoreCapabilities.RawAhead));

    /// <summary>A store that was never given a raw-ahead batch, or whose batches all carried their rollups, has none.</summary>
    [Fact]
    public async Task NothingIsAheadUntilARawAheadBatchIsWritten()
    {
        var rawAhead = RawAhead;
        Assert.Null(await rawAhead.ReadRawAheadAsync(default));

        await Store.WriteBatchAsync(Batch([Request(Start), Request(Start.AddSeconds(1))]), default);
        await Store.WriteBatchAsync(Catch(Batch([Request(Start.AddSeconds(2))])), default);
        Assert.Null(await rawAhead.ReadRawAheadAsync(default));
    }

    /// <summary>
    /// The requests and events of every raw-ahead batch since the last catch-up come back field for field, and none of
    /// those written with their rollups before the first of them; their rollups were not written.
    /// </summary>
    [Fact]
    public async Task TheRowsOfEveryRawAheadBatchSinceTheLastCatchUpAreReadBack()
    {
        var rawAhead = RawAhead;
        await Store.WriteBatchAsync(Batch([Request(Start, route: "/before")]), default);

        var first = Ahead(
            [Request(Start.AddSeconds(1), status: 500, exceptionType: "System.TimeoutException", exceptionMessage: "slow"),
                Request(Start.AddSeconds(2), environment: "prod", instance: "web-1", milliseconds: 12.345) with
                {
                    UserId = "user-7", Consumer = "acme", Release = "2.1", ClientIp = "10.0.0.1", Kind = RequestKind.Grpc,
                }],
            [new EventRecord { Timestamp = Start.AddSeconds(3), Name = "signup", UserId = "user-7", Success = true }]);
        var second = Ahead([Request(Start.AddSeconds(4), route: "/orders", method: "POST", status: 201)], []);
        await Store.WriteBatchAsync(first, default);
        await Store.WriteBatchAsync(second, default);

        var rows = await rawAhead.ReadRawAheadAsync(default);

        Assert.NotNull(rows);
        Assert.Equal(first.Requests.Concat(second.Requests), rows.Requests.OrderBy(r => r.Timestamp));
        Assert.Equal(first.Events, rows.Events);
        var rollups = await Store.ReadRequestRollupsAsync(RollupRange(Granularity.Minute, Start, Start.AddHours(1)), default).ToListAsync();
        Assert.Equal(1, rollups.Sum(r => r.Count)); // the request written with its rollups only
    }

    /// <summary>A batch that catches up removes the record in its transaction; raw-ahead batches after it start a new one.</summary>
    [Fact]
    public async Task ABatchThatCatchesUpEndsTheRecordAndTheNextRawAheadBatchStartsANewOne()
    {
        var rawAhead = RawAhead;
        await Store.WriteBatchAsync(Ahead([Request(Start)], []), default);
        await Store.WriteBatchAsync(Catch(Batch([Request(Start)], keepRaw: false)), default);
        Assert.Null(await rawAhead.ReadRawAheadAsync(default));

        await Store.WriteBatchAsync(Ahead([Request(Start.AddMinutes(1), route: "/later")], []), default);
        var rows = await rawAhead.ReadRawAheadAsync(default);

        Assert.NotNull(rows);
        Assert.Equal(["/later"], rows.Requests.Select(r => r.Route));
        Assert.Empty(rows.Events);
    }

    private static AnalyticsBatch Ahead(IEnumerable<RequestRecord> requests, IEnumerable<EventRecord> events)
    {
        var batch = new AnalyticsBatch { RawAhead = true };
        foreach (var request in requests)
        {
            batch.AddRequest(request);
        }

        foreach (var analyticsEvent in events)
        {
            batch.AddEvent(analyticsEvent);
        }

        Assert.Empty(batch.RequestRollups); // a raw-ahead batch counts nothing into the rollups
        return batch;
    }

    private static AnalyticsBatch Catch(AnalyticsBatch batch)
    {
        batch.CatchesUp = true;
        return batch;
    }
}
