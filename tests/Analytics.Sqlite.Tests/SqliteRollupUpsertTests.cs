using Analytics.Storage;
using Analytics.Testing;
using Analytics.Testing.Conformance;

namespace Analytics.Sqlite.Tests;

/// <summary>
/// The request-rollup upsert keeps what it last stored in each hour and day row (SqliteRollupUpsert); what another
/// writer or a rolled-back batch changed must be merged from the file, not from that memory.
/// </summary>
public sealed class SqliteRollupUpsertTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AnHourRowAnotherWriterAddedToInBetweenKeepsEveryonesSketches()
    {
        var path = _directory.File("a.db");
        using var first = new SqliteAnalyticsStore(path);
        using var second = new SqliteAnalyticsStore(path);

        await first.WriteBatchAsync(Batch(Request(1, "10.0.0.1")), default);
        await first.WriteBatchAsync(Batch(Request(2, "10.0.0.2")), default); // the first writer now knows what it stored
        await second.WriteBatchAsync(Batch(Request(3, "10.0.0.3")), default);
        await first.WriteBatchAsync(Batch(Request(4, "10.0.0.4")), default);

        foreach (var granularity in (Granularity[])[Granularity.Hour, Granularity.Day])
        {
            var range = TestData.RollupRange(granularity, Day, Day.AddDays(1), includeSketches: true) with { IncludeCardinality = true };
            var row = Assert.Single(await first.ReadRequestRollupsAsync(range, default).ToListAsync());
            Assert.Equal((4L, 4L, 4L), (row.Count, row.Latency!.Count, row.Clients!.Estimate()));
            Assert.Equal((1_000.0, 4_000.0), (row.Latency.Min, row.Latency.Max));
        }
    }

    [Fact]
    public async Task AnHourRowRewrittenOutsideTheWriterIsMergedFromTheFile()
    {
        var path = _directory.File("a.db");
        using var store = new SqliteAnalyticsStore(path);
        await store.WriteBatchAsync(Batch(Request(1, "10.0.0.1")), default);
        await store.WriteBatchAsync(Batch(Request(2, "10.0.0.2")), default);

        // As a batch that rolled back after the merge would leave it: the file holds one request's sketch, not two.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE request_rollups SET latency = $latency, clients = NULL WHERE granularity <> 0;";
            var one = new LatencySketch();
            one.Add(1_000);
            command.Parameters.AddWithValue("$latency", one.ToBytes());
            command.ExecuteNonQuery();
        }

        await store.WriteBatchAsync(Batch(Request(3, "10.0.0.3")), default);

        var range = TestData.RollupRange(Granularity.Hour, Day, Day.AddDays(1), includeSketches: true) with { IncludeCardinality = true };
        var row = Assert.Single(await store.ReadRequestRollupsAsync(range, default).ToListAsync());
        Assert.Equal((2L, 3_000.0, 1L), (row.Latency!.Count, row.Latency.Max, row.Clients!.Estimate()));
    }

    private static RequestRecord Request(int i, string clientIp) => new()
    {
        Timestamp = Day.AddMinutes(i),
        Method = "GET",
        Route = "/items/{id}",
        Path = $"/items/{i}",
        StatusCode = 200,
        Duration = TimeSpan.FromMilliseconds(i),
        ClientIp = clientIp,
    };

    private static AnalyticsBatch Batch(RequestRecord request)
    {
        var batch = new AnalyticsBatch();
        batch.AddRequest(request);
        return batch;
    }
}
