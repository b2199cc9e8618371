using Analytics.PostgreSql;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Analytics.Benchmarks;

/// <summary>
/// <see cref="Records"/> requests into a fresh schema of the PostgreSQL server named by <c>ANALYTICS_POSTGRES</c>
/// (start one with <c>tests/postgres-server.sh</c>), timed per record: through the library's pipeline (queue, writer,
/// rollups with sketches merged under row locks, one transaction per batch) until a flush says they are persisted,
/// against the floor measured in the same run on the same server: the same rows by binary COPY into the same table, one
/// transaction per batch of the same size.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class PostgreSqlIngestBenchmarks
{
    public const int Records = 100_000;

    private readonly string _connectionString = Environment.GetEnvironmentVariable("ANALYTICS_POSTGRES")
        ?? throw new InvalidOperationException("Set ANALYTICS_POSTGRES: eval \"$(tests/postgres-server.sh start)\" starts a throwaway server and sets it.");

    private RequestRecord[] _records = null!;
    private NpgsqlDataSource _admin = null!;
    private string _schema = null!;
    private PipelineHarness? _pipeline;

    [GlobalSetup]
    public void Setup()
    {
        _records = new Traffic().Generate(Records, DateTimeOffset.UtcNow.AddHours(-2), TimeSpan.FromHours(2));
        _admin = NpgsqlDataSource.Create(_connectionString);
    }

    [GlobalCleanup]
    public void GlobalCleanup() => _admin.Dispose();

    [IterationSetup(Target = nameof(RawCopy))]
    public void SetupRaw()
    {
        _schema = "bench_" + Guid.NewGuid().ToString("N")[..12];
        using var connection = _admin.OpenConnection();
        PostgreSqlSchema.MigrateAsync(connection, _schema, default).GetAwaiter().GetResult(); // the same requests table and index the store writes
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

        using var command = _admin.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE;");
        command.ExecuteNonQuery();
    }

    /// <summary>The floor: the same rows, by binary COPY, one transaction per batch.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public async Task RawCopy()
    {
        await using var connection = await _admin.OpenConnectionAsync();
        for (var start = 0; start < _records.Length; start += RequestAnalyticsDefaults.BatchSize)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var import = await connection.BeginBinaryImportAsync($"COPY \"{_schema}\".requests ({PostgreSqlAnalyticsStore.RequestColumns[4..]}) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = start; i < Math.Min(start + RequestAnalyticsDefaults.BatchSize, _records.Length); i++)
                {
                    var r = _records[i];
                    await import.StartRowAsync();
                    await import.WriteAsync((r.Timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond, NpgsqlDbType.Bigint);
                    await import.WriteAsync(r.Method, NpgsqlDbType.Text);
                    await import.WriteAsync(r.Route, NpgsqlDbType.Text);
                    await import.WriteAsync(r.Path, NpgsqlDbType.Text);
                    await import.WriteAsync(r.StatusCode, NpgsqlDbType.Integer);
                    await import.WriteAsync(r.Duration.Ticks / TimeSpan.TicksPerMicrosecond, NpgsqlDbType.Bigint);
                    await import.WriteAsync(r.RequestBytes, NpgsqlDbType.Bigint);
                    await import.WriteAsync(r.ResponseBytes, NpgsqlDbType.Bigint);
                    await WriteAsync(import, r.ClientIp);
                    await WriteAsync(import, r.UserAgent);
                    await WriteAsync(import, r.Protocol);
                    await import.WriteAsync((int)r.Kind, NpgsqlDbType.Integer);
                    await WriteAsync(import, r.TraceId);
                    await WriteAsync(import, r.UserId);
                    await WriteAsync(import, r.Environment);
                    await WriteAsync(import, r.Instance);
                    await WriteAsync(import, r.ExceptionType);
                    await WriteAsync(import, r.ExceptionMessage);
                    await WriteAsync(import, r.StackTrace);
                    await WriteAsync(import, r.ErrorFingerprint);
                    await WriteAsync(import, r.Consumer);
                    await WriteAsync(import, r.Release);
                }

                await import.CompleteAsync();
            }

            await transaction.CommitAsync();
        }
    }

    /// <summary>The library: every raw row kept, plus the rollups, through the queue and the writer.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task Pipeline() => EnqueueAndFlushAsync();

    /// <summary>The library with <c>RawSampleRate = 0</c>: rollups only, no raw rows.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task PipelineRollupsOnly() => EnqueueAndFlushAsync();

    private static Task WriteAsync(NpgsqlBinaryImporter import, string? value) =>
        value is null ? import.WriteNullAsync() : import.WriteAsync(value, NpgsqlDbType.Text);

    private Task EnqueueAndFlushAsync() => _pipeline!.EnqueueAndFlushAsync(_records);

    private void StartPipeline(double rawSampleRate)
    {
        _schema = "bench_" + Guid.NewGuid().ToString("N")[..12];
        _pipeline = new PipelineHarness(_records, rawSampleRate, b => b.UsePostgreSql(_connectionString, _schema));
    }
}
