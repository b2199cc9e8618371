using System.Diagnostics;
using System.Globalization;
using Analytics.Sqlite;
using Analytics.Storage;
using Microsoft.Data.Sqlite;

namespace Analytics.Benchmarks;

/// <summary>
/// Builds an SQLite analytics database with <c>days</c> days of generated traffic as the library holds it with the
/// default retention (<see cref="RequestAnalyticsDefaults"/>): raw rows and minute rollups for the last 7 days only,
/// hour rollups for 90 days and day rollups for 400, all written through the store as the writer writes them. The
/// records name a consumer (most of them), a release (a new one every three days) and one in 200 comes with a custom
/// event, so every dashboard panel has data to read. Built on demand into a file under <c>benchmarks/data</c>, never
/// committed; a finished file is reused.
/// </summary>
/// <remarks>
/// <para><c>dotnet run -c Release --project benchmarks/Analytics.Benchmarks -- generate [requests] [days] [path]</c></para>
/// <para>
/// Older than the minute retention, a record's timestamp is floored to its hour before it is folded: its hour and day
/// rollups come out the same (they are keyed by the hour), but the fold writes one minute row per hour and key
/// instead of sixty, which retention would delete anyway (the store's purge deletes them at the end, as the library's
/// retention service would). On 100 M requests this writes 9 M fewer rows. Error groups' first and last occurrence in
/// that part are therefore to the hour.
/// </para>
/// </remarks>
internal static class DatabaseGenerator
{
    public const long DefaultRequests = 100_000_000;
    public const int DefaultDays = 90;
    private const int RawBatchSize = 5_000;
    private const int RollupBatchSize = 200_000;
    private const int EventEvery = 200;

    private static readonly string[] Consumers =
        ["mobile-ios", "mobile-android", "web-frontend", "partner-acme", "partner-globex", "billing-job", "search-indexer", "internal-admin"];

    private static readonly string[] EventNames = ["checkout", "signup", "search.performed", "export.generated"];

    /// <summary>The default location: <c>benchmarks/data</c> at the repository root (ignored by git).</summary>
    public static string DefaultPath(long requests, int days) =>
        Path.Combine(FindRepositoryRoot(), "benchmarks", "data", $"requests-{requests}-{days}d-retained.db");

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
            Write(store, requests, days, end, stopwatch);
            Purge(store, end);
        }

        using (var connection = new SqliteConnection($"Data Source={building};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        File.Move(building, path);
        Console.WriteLine($"// generated in {stopwatch.Elapsed.TotalSeconds:0} s: {new FileInfo(path).Length / 1e6:0} MB");
        return path;
    }

    private static void Write(SqliteAnalyticsStore store, long requests, int days, DateTimeOffset end, Stopwatch stopwatch)
    {
        var rawFrom = end - RequestAnalyticsDefaults.RawRetention;
        var minutesFrom = end - RequestAnalyticsDefaults.MinuteRetention;
        var start = end.AddDays(-days);
        var releases = Enumerable.Range(0, (days / 3) + 1).Select(n => $"2026.{n + 1}.0").ToArray();
        var random = new Random(20261202);
        var batch = new AnalyticsBatch();
        long written = 0;
        int pending = 0;
        foreach (var generated in new Traffic().Stream(requests, days, end))
        {
            var timestamp = generated.Timestamp < minutesFrom ? Granularity.Hour.Floor(generated.Timestamp) : generated.Timestamp;
            var record = generated with
            {
                Timestamp = timestamp,
                Release = releases[(int)((generated.Timestamp - start).TotalDays / 3)],
                Consumer = PickConsumer(random),
            };
            batch.AddRequest(record, keepRaw: generated.Timestamp >= rawFrom);
            if (++written % EventEvery == 0)
            {
                batch.AddEvent(new EventRecord
                {
                    Timestamp = timestamp,
                    Name = EventNames[random.Next(EventNames.Length)],
                    Duration = TimeSpan.FromMilliseconds(50 + random.Next(2_000)),
                    Success = random.Next(20) != 0,
                    Release = record.Release,
                    Consumer = record.Consumer,
                });
            }

            if (batch.Requests.Count == RawBatchSize || ++pending == RollupBatchSize)
            {
                store.WriteBatchAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
                batch = new AnalyticsBatch();
                pending = 0;
            }

            if (written % 10_000_000 == 0)
            {
                Console.WriteLine($"// {written:N0} written, {stopwatch.Elapsed.TotalSeconds:0} s");
            }
        }

        store.WriteBatchAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Most requests name one of a few consumers, skewed; three in ten name none.</summary>
    private static string? PickConsumer(Random random)
    {
        int roll = random.Next(100);
        return roll < 30 ? null : Consumers[Math.Min(Consumers.Length - 1, (int)Math.Log2(70.0 / (100 - roll)))];
    }

    /// <summary>Deletes what the default retention would have: raw rows (the old part's events) and minute rollups past 7 days.</summary>
    private static void Purge(SqliteAnalyticsStore store, DateTimeOffset end)
    {
        while (store.PurgeRawAsync(end - RequestAnalyticsDefaults.RawRetention, 100_000, CancellationToken.None).GetAwaiter().GetResult() > 0)
        {
        }

        foreach (var (granularity, kept) in new[]
        {
            (Granularity.Minute, RequestAnalyticsDefaults.MinuteRetention),
            (Granularity.Hour, RequestAnalyticsDefaults.HourRetention),
            (Granularity.Day, RequestAnalyticsDefaults.DayRetention),
        })
        {
            while (store.PurgeRollupsAsync(granularity, end - kept, 100_000, CancellationToken.None).GetAwaiter().GetResult() > 0)
            {
            }
        }

        var since = end - RequestAnalyticsDefaults.RawRetention;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// retention applied: raw rows and minutes since {since:u}"));
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
