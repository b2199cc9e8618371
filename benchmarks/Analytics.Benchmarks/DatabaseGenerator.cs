using System.Diagnostics;
using Analytics.Sqlite;
using Analytics.Storage;
using Microsoft.Data.Sqlite;

namespace Analytics.Benchmarks;

/// <summary>
/// Builds an SQLite analytics database with <c>days</c> days of generated traffic (raw rows and minute, hour and day
/// rollups, written through the store exactly as the writer writes them), for the query benchmarks. Built on demand
/// into a file next to the benchmarks' artifacts, never committed; a finished file is reused.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- generate [requests] [days] [path]</c>
/// </remarks>
internal static class DatabaseGenerator
{
    public const long DefaultRequests = 10_000_000;
    public const int DefaultDays = 30;
    private const int BatchSize = 5_000;

    /// <summary>The default location: <c>benchmarks/data</c> at the repository root (ignored by git).</summary>
    public static string DefaultPath(long requests, int days) =>
        Path.Combine(FindRepositoryRoot(), "benchmarks", "data", $"requests-{requests}-{days}d.db");

    /// <summary>Returns the path of a complete database, generating it first when it does not exist.</summary>
    public static string Ensure(long requests = DefaultRequests, int days = DefaultDays, string? path = null)
    {
        path ??= DefaultPath(requests, days);
        if (File.Exists(path))
        {
            return path;
        }

        // Built under a temporary name and renamed when complete, so an interrupted run is never mistaken for a finished one.
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var building = path + ".building";
        foreach (var stale in new[] { building, building + "-wal", building + "-shm" })
        {
            File.Delete(stale);
        }

        var end = DateTimeOffset.UtcNow;
        end = new DateTimeOffset(end.UtcTicks - (end.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        Console.WriteLine($"// generating {requests:N0} requests over {days} days ending {end:u} into {path}");
        var stopwatch = Stopwatch.StartNew();
        using (var store = new SqliteAnalyticsStore(building))
        {
            var batch = new AnalyticsBatch();
            long written = 0;
            foreach (var record in new Traffic().Stream(requests, days, end))
            {
                batch.AddRequest(record);
                if (batch.Requests.Count == BatchSize)
                {
                    store.WriteBatchAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
                    batch.Clear();
                }

                if (++written % 1_000_000 == 0)
                {
                    Console.WriteLine($"// {written:N0} written, {stopwatch.Elapsed.TotalSeconds:0} s");
                }
            }

            store.WriteBatchAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
        }

        using (var connection = new SqliteConnection($"Data Source={building};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        File.Move(building, path);
        Console.WriteLine($"// generated in {stopwatch.Elapsed.TotalSeconds:0} s: {new FileInfo(path).Length / 1e6:0} MB, " +
            $"{new FileInfo(path).Length / (requests / 1e6) / 1e6:0} MB per million requests");
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Analytics.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
