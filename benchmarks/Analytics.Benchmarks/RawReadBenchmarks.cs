using Analytics.Sqlite;
using Analytics.Storage;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks;

/// <summary>
/// The raw-row reads on a database of a million API-shaped requests over one day (<see cref="DatabaseGenerator"/>,
/// <c>generate 1000000 1</c>, or the file <c>ANALYTICS_RAWREAD_DB</c> names): the request log's newest page, a filtered
/// page that scans far (5xx of one route), and an export's walk of 100 000 rows in the export's pages of 1 000.
/// </summary>
[MemoryDiagnoser]
public class RawReadBenchmarks
{
    private const int ExportRows = 100_000;

    private SqliteAnalyticsStore _store = null!;

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("ANALYTICS_RAWREAD_DB") ?? DatabaseGenerator.Ensure(1_000_000, 1);
        _store = new SqliteAnalyticsStore(path);
        _store.InitializeAsync(default).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    /// <summary>The request log as it opens: the newest 100 rows.</summary>
    [Benchmark]
    public Task<IReadOnlyList<StoredRequest>> LogPage() => _store.ReadRequestsAsync(new RawQuery { Limit = 100 }, default);

    /// <summary>The newest 100 server errors of one route: about 0.3 % of the rows, so the page scans about 30 000.</summary>
    [Benchmark]
    public Task<IReadOnlyList<StoredRequest>> LogPageFiltered() =>
        _store.ReadRequestsAsync(new RawQuery { Route = "/items/{id}", MinStatusCode = 500, Limit = 100 }, default);

    /// <summary>100 000 rows newest first in pages of 1 000, each after the previous page's last id, as the export reads.</summary>
    [Benchmark(OperationsPerInvoke = ExportRows)]
    public async Task<long> ExportWalk()
    {
        long? before = null;
        long bytes = 0;
        for (var read = 0; read < ExportRows;)
        {
            var page = await _store.ReadRequestsAsync(new RawQuery { Limit = 1_000, Before = before }, default);
            foreach (var row in page)
            {
                bytes += row.Request.Path.Length + (row.Request.UserAgent?.Length ?? 0);
            }

            read += page.Count;
            before = page[^1].Id;
        }

        return bytes;
    }
}
