using Analytics.Sqlite;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Benchmarks;

/// <summary>
/// <see cref="Records"/> requests into a fresh SQLite file, timed per record: through the library's pipeline (queue,
/// writer, minute/hour/day rollups with latency sketches, one transaction per batch) until a flush says they are
/// persisted, against the physical floor measured in the same run: the same rows inserted with Microsoft.Data.Sqlite
/// directly into the same table, one transaction per batch of the same size, one prepared command reused, WAL.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15)]
public class IngestBenchmarks
{
    public const int Records = 200_000;

    private RequestRecord[] _records = null!;
    private string _directory = null!;
    private PipelineHarness? _pipeline;
    private SqliteConnection? _connection;

    [GlobalSetup]
    public void Setup()
    {
        // Two hours of traffic: the rollups see about 120 minute buckets × routes × statuses, as a live app would.
        _records = new Traffic().Generate(Records, DateTimeOffset.UtcNow.AddHours(-2), TimeSpan.FromHours(2));

        // ANALYTICS_BENCH_CONSUMERS=N: 70 % of the requests name one of N consumers, as the query database's do, so that
        // the per-consumer rollups and totals are written too (ingest-split; the README's table is without).
        if (int.TryParse(Environment.GetEnvironmentVariable("ANALYTICS_BENCH_CONSUMERS"), out int consumers) && consumers > 0)
        {
            for (int i = 0; i < _records.Length; i++)
            {
                _records[i] = i % 10 < 7 ? _records[i] with { Consumer = $"consumer-{i % consumers}" } : _records[i];
            }
        }
    }

    // The naive floor inserts into the flat requests table of schema 11 (every string inline), as the issue's ratios
    // were measured: since schema 12 requests is a view whose INSTEAD OF trigger interns in SQL, a slower, other floor.
    [IterationSetup(Target = nameof(RawSqliteInserts))]
    public void SetupRawFlat() => SetupRaw(upTo: 11);

    [IterationSetup(Target = nameof(RawSqliteIndexedBinds))]
    public void SetupRawInterned() => SetupRaw(upTo: null);

    private void SetupRaw(int? upTo)
    {
        NewDirectory();
        _connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "raw.db")};Pooling=False");
        _connection.Open();
        using var pragma = _connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        SqliteSchema.Migrate(_connection, upTo); // the tables and indexes the store writes (or wrote, at schema 11)
    }

    [IterationSetup(Target = nameof(Pipeline))]
    public void SetupPipeline() => StartPipeline(rawSampleRate: 1);

    [IterationSetup(Target = nameof(PipelineRollupsOnly))]
    public void SetupRollupsOnly() => StartPipeline(rawSampleRate: 0);

    [IterationCleanup]
    public void Cleanup()
    {
        _pipeline?.Dispose();
        _pipeline = null;

        _connection?.Dispose();
        _connection = null;
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The floor: the same rows, straight into SQLite.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public void RawSqliteInserts()
    {
        var connection = _connection!;
        using var command = connection.CreateCommand();
        // One parameter per column after id, counted from the store's own list: a column added there shows here as an
        // unbound parameter, not as a statement of the wrong width.
        var columns = SqliteWriter.RequestColumns[4..];
        int count = columns.Split(", ").Length;
        command.CommandText = $"INSERT INTO requests ({columns}) VALUES ({string.Join(", ", Enumerable.Range(1, count).Select(i => "$p" + i))});";
        var parameters = Enumerable.Range(1, count).Select(i => command.Parameters.Add(new SqliteParameter { ParameterName = "$p" + i })).ToArray();
        command.Prepare();
        for (var start = 0; start < _records.Length; start += RequestAnalyticsDefaults.BatchSize)
        {
            using var transaction = connection.BeginTransaction();
            command.Transaction = transaction;
            foreach (var r in _records.AsSpan(start, Math.Min(RequestAnalyticsDefaults.BatchSize, _records.Length - start)))
            {
                parameters[0].Value = (r.Timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
                parameters[1].Value = r.Method;
                parameters[2].Value = r.Route;
                parameters[3].Value = r.Path;
                parameters[4].Value = r.StatusCode;
                parameters[5].Value = r.Duration.Ticks / TimeSpan.TicksPerMicrosecond;
                parameters[6].Value = r.RequestBytes;
                parameters[7].Value = r.ResponseBytes;
                parameters[8].Value = (object?)r.ClientIp ?? DBNull.Value;
                parameters[9].Value = (object?)r.UserAgent ?? DBNull.Value;
                parameters[10].Value = (object?)r.Protocol ?? DBNull.Value;
                parameters[11].Value = (int)r.Kind;
                parameters[12].Value = (object?)r.TraceId ?? DBNull.Value;
                parameters[13].Value = (object?)r.UserId ?? DBNull.Value;
                parameters[14].Value = (object?)r.Environment ?? DBNull.Value;
                parameters[15].Value = (object?)r.Instance ?? DBNull.Value;
                parameters[16].Value = (object?)r.ExceptionType ?? DBNull.Value;
                parameters[17].Value = (object?)r.ExceptionMessage ?? DBNull.Value;
                parameters[18].Value = (object?)r.StackTrace ?? DBNull.Value;
                parameters[19].Value = (object?)r.ErrorFingerprint ?? DBNull.Value;
                parameters[20].Value = (object?)r.Consumer ?? DBNull.Value;
                parameters[21].Value = (object?)r.Release ?? DBNull.Value;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <summary>
    /// A lower floor: the same rows through the store's own raw-row statement alone (<see cref="SqliteRequestInsert"/>:
    /// SQLitePCLRaw, the native binding under Microsoft.Data.Sqlite, binding by index), without the queue or rollups.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public void RawSqliteIndexedBinds()
    {
        using var insert = new SqliteRequestInsert(_connection!);
        for (var start = 0; start < _records.Length; start += RequestAnalyticsDefaults.BatchSize)
        {
            using var transaction = _connection!.BeginTransaction();
            foreach (ref readonly var record in _records.AsSpan(start, Math.Min(RequestAnalyticsDefaults.BatchSize, _records.Length - start)))
            {
                insert.Run(record);
            }

            transaction.Commit();
        }
    }

    /// <summary>The library: every raw row kept, plus the rollups, through the queue and the writer.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task Pipeline() => EnqueueAndFlushAsync();

    /// <summary>The library with <c>RawSampleRate = 0</c>: rollups only, no raw rows.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task PipelineRollupsOnly() => EnqueueAndFlushAsync();

    private Task EnqueueAndFlushAsync() => _pipeline!.EnqueueAndFlushAsync(_records);

    private void StartPipeline(double rawSampleRate)
    {
        NewDirectory();
        _pipeline = new PipelineHarness(_records, rawSampleRate, b => b.UseSqlite(Path.Combine(_directory, "analytics.db")));
    }

    private void NewDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "analytics-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }
}
