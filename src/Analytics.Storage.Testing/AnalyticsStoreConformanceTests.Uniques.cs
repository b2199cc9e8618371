using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>Distinct users and clients: the cardinality sketches a store keeps beside each request rollup.</summary>
public abstract partial class AnalyticsStoreConformanceTests<TFactory>
{
    /// <summary>
    /// Unique users and clients read through the queries are within 3 % of the exact counts at every granularity and
    /// range.
    /// </summary>
    /// <param name="users">How many distinct users the traffic has.</param>
    [Theory]
    [InlineData(10_000)]
    [InlineData(200_000)]
    public async Task UniqueUsersAndClientsAreWithinThreePercentAtEveryGranularityAndRange(int users)
    {
        var traffic = UniqueTraffic.Create(users, Start, TimeSpan.FromDays(3));
        foreach (var chunk in traffic.Requests.Chunk(5_000))
        {
            await Store.WriteBatchAsync(Batch(chunk, keepRaw: false), default);
        }

        await traffic.AssertQueriesAsync(Queries(Start.AddDays(4)));
    }

    /// <summary>The stored minute cardinality sketches merge into the stored hour's, byte for byte.</summary>
    [Fact]
    public async Task MergingStoredMinuteSketchesGivesTheStoredHourEstimate()
    {
        var traffic = UniqueTraffic.Create(30_000, Start, TimeSpan.FromHours(2));
        foreach (var chunk in traffic.Requests.Chunk(3_000))
        {
            await Store.WriteBatchAsync(Batch(chunk, keepRaw: false), default);
        }

        var hour = Start.AddHours(1);
        var merged = new CardinalitySketch();
        await foreach (var minute in Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Minute, hour, hour.AddHours(1)) with { IncludeCardinality = true }, default))
        {
            merged.Merge(minute.Users!);
        }

        // The traffic has two routes: an hour row each, merged too.
        var direct = new CardinalitySketch();
        int hourRows = 0;
        await foreach (var row in Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Hour, hour, hour.AddHours(1)) with { IncludeCardinality = true }, default))
        {
            direct.Merge(row.Users!);
            hourRows++;
        }

        Assert.Equal(2, hourRows);
        Assert.True(merged.Estimate() > 10_000);
        Assert.Equal(direct.Estimate(), merged.Estimate());
        Assert.Equal(direct.ToBytes(), merged.ToBytes());
    }

    /// <summary>
    /// Rows without user ids have no user sketch and count no users, and cardinality is read only when asked.
    /// </summary>
    [Fact]
    public async Task RowsWithoutUsersHaveNoUserSketchAndCountNone()
    {
        await Store.WriteBatchAsync(Batch([Request(Start), Request(Start.AddSeconds(1)) with { ClientIp = "10.0.0.0" }]), default);

        var row = await Store.ReadRequestRollupsAsync(
            RollupRange(Granularity.Minute, Start, Start.AddMinutes(1)) with { IncludeCardinality = true },
            default).SingleAsync();
        var withoutSketches = await Store.ReadRequestRollupsAsync(RollupRange(Granularity.Minute, Start, Start.AddMinutes(1)), default).SingleAsync();
        var overview = await Queries(Start.AddHours(1)).GetOverviewAsync(new AnalyticsQuery { From = Start, To = Start.AddMinutes(5) }, default);

        Assert.Null(row.Users);
        Assert.Equal(1, row.Clients!.Estimate());
        Assert.Null(withoutSketches.Clients);
        Assert.Equal((0L, 1L), (overview.UniqueUsers, overview.UniqueClients));
    }
}
