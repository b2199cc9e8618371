using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Analytics.Retention;
using Analytics.Sqlite;
using Analytics.Storage;
using Analytics.Testing;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Endurance;

/// <summary>
/// Steady load on the sample, as a real child process, while its resident memory, open handles and database file are
/// sampled. 20 seconds in the normal suite; <c>ANALYTICS_SOAK_MINUTES=10</c> runs ten minutes, and then also seeds the
/// file with expired data so that the retention pass (30 s after start, then hourly) deletes it under the load, and checks
/// that the file stops growing while the load refills the freed pages.
/// </summary>
/// <remarks>Runs alone (<see cref="MeasuredAloneCollection"/>): another test's load would change the rate and the process's numbers.</remarks>
[Collection(MeasuredAloneCollection.Name)]
public class SoakTests(ITestOutputHelper output)
{
    public const string MinutesVariable = "ANALYTICS_SOAK_MINUTES";

    private static readonly TimeSpan ShortRun = TimeSpan.FromSeconds(20);

    // The load: up to 8 requests every 20 ms, each burst awaited before the next, so at most 400 requests/s and at most
    // 8 in flight; a slow server lowers the rate instead of piling up requests.
    private const int RequestsPerTick = 8;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private static readonly double MaxRate = RequestsPerTick / Tick.TotalSeconds;

    // The first quarter of the run (at least 5 s) is warm-up: the JIT, the thread pool, the GC's budgets, SQLite's page
    // cache and the client's connections all settle there. The end is compared with the sample that closes it.
    private static readonly TimeSpan MinWarmUp = TimeSpan.FromSeconds(5);

    // Measured: ×1.01–1.02 from warm-up to the end of the short run, ×1.00 over ten minutes. A quarter more (~25 MB on
    // the sample's ~100 MB) absorbs a step of server GC's budgets; a leak grows past it from ~4 KB per request on the
    // short run (~5 500 requests after warm-up) and from ~150 B per request on the ten-minute one (~170 000).
    private const double MaxRssGrowth = 1.25;

    // Handles that come and go with the load: a connection being replaced, a pooled SQLite reader opened for the alert
    // evaluator, a timer's eventfd. A leak per request or per batch passes this within seconds.
    private const int MaxHandleGrowth = 16;

    // SQLite checkpoints every 1 000 pages (4 MB); a WAL 16 times that means checkpoints are starved.
    private const long MaxWalBytes = 64L * 1024 * 1024;

    // The long run seeds this many times the rows its load can write, so the freed pages outnumber the new rows.
    private const double SeedFactor = 1.5;

    // How much the file may still grow after the retention pass freed more pages than the load writes since: rollup rows
    // of new buckets and SQLite's page fragmentation. Measured: not at all (54.8 MB before and after 210 000 requests).
    private const double MaxFileGrowthAfterPurge = 1.10;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task UnderSteadyLoadTheSampleKeepsItsMemoryHandlesAndFileBounded()
    {
        var duration = Duration();
        var warmUp = duration / 4 > MinWarmUp ? duration / 4 : MinWarmUp;
        var sampleEvery = TimeSpan.FromSeconds(Math.Max(1, Math.Round(duration.TotalSeconds / 40)));

        // The first retention pass runs 30 s after start (not configurable); a run that outlasts it by a margin sees it.
        var seesRetention = duration >= TimeSpan.FromMinutes(1);
        using var directory = new TempDirectory();
        var database = directory.File("soak.db");
        var now = DateTimeOffset.UtcNow;
        long seeded = 0;
        if (seesRetention)
        {
            seeded = await SeedExpiredAsync(database, (long)(MaxRate * duration.TotalSeconds * SeedFactor), now - TimeSpan.FromDays(2));
            output.WriteLine($"Seeded {seeded:N0} requests two days old: {SampleProbe.Megabytes(SampleProbe.FileSize(database))} MB.");
        }

        var (process, origin) = await TestProcess.StartSampleAsync(
            "--no-demo-traffic",
            "--Sample:Database", database,
            "--RequestAnalytics:FlushInterval", "00:00:01",
            "--RequestAnalytics:Retention:Raw", "00:01:00", // the minimums (RequestAnalyticsOptionsValidator)
            "--RequestAnalytics:Retention:Minute", "00:01:00",
            "--RequestAnalytics:Retention:Hour", "01:00:00",
            "--RequestAnalytics:Retention:Day", "1.00:00:00");
        await using var owned = process;
        var liveFrom = SqliteAnalyticsStore.ToUnixMicroseconds(DateTimeOffset.UtcNow.AddSeconds(-1));
        var pid = process.Id;
        using var client = new HttpClient { BaseAddress = new Uri(origin), Timeout = TimeSpan.FromSeconds(30) };

        long responses = 0;
        var statuses = new ConcurrentDictionary<int, int>();
        var started = Stopwatch.StartNew();
        async Task DriveAsync()
        {
            using var timer = new PeriodicTimer(Tick);
            long k = 0;
            var burst = new Task[RequestsPerTick];
            while (started.Elapsed < duration && await timer.WaitForNextTickAsync())
            {
                for (var i = 0; i < burst.Length; i++)
                {
                    burst[i] = SendAsync(PathOf(k++));
                }

                await Task.WhenAll(burst);
            }
        }

        async Task SendAsync(string path)
        {
            using var response = await client.GetAsync(path);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            Interlocked.Increment(ref responses);
        }

        var samples = new List<Sample>();
        var driving = DriveAsync();
        using (var timer = new PeriodicTimer(sampleEvery))
        {
            do
            {
                samples.Add(new Sample(
                    started.Elapsed,
                    Interlocked.Read(ref responses),
                    SampleProbe.ResidentBytes(pid),
                    SampleProbe.OpenHandles(pid),
                    SampleProbe.FileSize(database),
                    SampleProbe.FileSize(database + "-wal"),
                    process.Output.Any(IsPurgeLine)));
            }
            while (!driving.IsCompleted && await timer.WaitForNextTickAsync());
        }

        await driving.WaitAsync(Deadline); // rethrows a failed request
        var elapsed = started.Elapsed;

        // Nothing live is old enough for a retention pass to delete before the second pass, an hour in: until then every
        // request of the load must be a row.
        var everyRequestKept = duration < RetentionService.Interval;
        if (everyRequestKept)
        {
            await Wait.UntilAsync(
                () => SampleProbe.CountRequests(database, $"ts >= {liveFrom}") >= responses,
                Deadline,
                $"the {responses} requests of the load are persisted");
        }

        output.WriteLine($"Soak: {duration.TotalMinutes:F2} min ({MinutesVariable}={Environment.GetEnvironmentVariable(MinutesVariable) ?? "unset"}), {responses:N0} requests = {responses / elapsed.TotalSeconds:F0}/s (at most {MaxRate:F0}/s), statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; {(everyRequestKept ? "all persisted" : "persistence not counted: retention deletes live rows after an hour")}.");
        output.WriteLine("     t  requests   RSS MB  fds  db MB  wal MB  purged");
        foreach (var s in samples)
        {
            output.WriteLine($"{s.At.TotalSeconds,6:F0} {s.Requests,9:N0} {SampleProbe.Megabytes(s.Rss),8} {s.Handles,4} {SampleProbe.Megabytes(s.Database),6} {SampleProbe.Megabytes(s.Wal),7}  {(s.Purged ? "yes" : "")}");
        }

        var warmedUp = samples.First(s => s.At >= warmUp || s == samples[^1]);
        var end = samples[^1];
        Assert.True(samples.Count >= 5 && end.At - warmedUp.At >= duration / 2, $"too few samples after warm-up ({samples.Count}, the last at {end.At.TotalSeconds:F0} s)");
        output.WriteLine(
            $"After warm-up ({warmedUp.At.TotalSeconds:F0} s) → end ({end.At.TotalSeconds:F0} s): RSS {SampleProbe.Megabytes(warmedUp.Rss)} → {SampleProbe.Megabytes(end.Rss)} MB " +
            $"(×{(double)end.Rss / warmedUp.Rss:F2}, bound ×{MaxRssGrowth}), handles {warmedUp.Handles} → {end.Handles} (bound +{MaxHandleGrowth}), " +
            $"largest WAL {SampleProbe.Megabytes(samples.Max(s => s.Wal))} MB, database + WAL {SampleProbe.Megabytes(warmedUp.Database + warmedUp.Wal)} → {SampleProbe.Megabytes(end.Database + end.Wal)} MB.");

        Assert.True(end.Rss <= warmedUp.Rss * MaxRssGrowth, $"RSS grew from {SampleProbe.Megabytes(warmedUp.Rss)} MB after warm-up to {SampleProbe.Megabytes(end.Rss)} MB");
        Assert.True(end.Handles <= warmedUp.Handles + MaxHandleGrowth, $"open handles grew from {warmedUp.Handles} after warm-up to {end.Handles}");
        Assert.True(samples.Max(s => s.Wal) <= MaxWalBytes, $"the WAL reached {SampleProbe.Megabytes(samples.Max(s => s.Wal))} MB: checkpoints are not keeping up");
        Assert.DoesNotContain(process.Output, l => l.Contains("dropped", StringComparison.OrdinalIgnoreCase));

        if (!seesRetention)
        {
            output.WriteLine($"Retention: not exercised; its first pass runs 30 s after start and then every {RetentionService.Interval.TotalMinutes:F0} min (not configurable). Set {MinutesVariable} to 1 or more.");
            return;
        }

        // The pass deleted the seeded data (raw rows and rollups of every granularity) while the load went on…
        var purgeLine = process.Output.FirstOrDefault(IsPurgeLine);
        Assert.True(purgeLine is not null, $"no retention pass was logged in {duration.TotalMinutes:F1} min:\n{process.Transcript}");
        using (var connection = SampleProbe.Open(database))
        {
            Assert.Equal(0, SampleProbe.Scalar(connection, $"SELECT count(*) FROM requests WHERE ts < {liveFrom};"));
            Assert.Equal(0, SampleProbe.Scalar(connection, $"SELECT count(*) FROM request_rollups WHERE bucket_start < {SqliteAnalyticsStore.ToUnixMicroseconds(now - TimeSpan.FromDays(1.5))};"));
        }

        // …and the load then refilled the freed pages instead of growing the file.
        var afterPurge = samples.First(s => s.Purged);
        var refilled = end.Requests - afterPurge.Requests;
        output.WriteLine($"Retention: '{purgeLine!.Trim()}'; file {SampleProbe.Megabytes(afterPurge.Database)} MB when the pass was logged ({afterPurge.At.TotalSeconds:F0} s), {SampleProbe.Megabytes(end.Database)} MB after {refilled:N0} more requests.");
        Assert.True(refilled <= seeded, $"the load wrote {refilled} rows after the purge, more than the {seeded} it freed: seed more");
        Assert.True(
            end.Database <= (afterPurge.Database * MaxFileGrowthAfterPurge) + 1_048_576,
            $"the file grew from {SampleProbe.Megabytes(afterPurge.Database)} MB after the retention pass to {SampleProbe.Megabytes(end.Database)} MB although the pass freed more rows than the load wrote since");
    }

    private static TimeSpan Duration()
    {
        var value = Environment.GetEnvironmentVariable(MinutesVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return ShortRun;
        }

        Assert.True(
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes > 0,
            $"{MinutesVariable} must be a positive number of minutes; it is '{value}'.");
        return TimeSpan.FromMinutes(minutes);
    }

    /// <summary>A mix like the demo traffic's: mostly 200s on two parameterised routes, 404s, /ping, a slow call and the flaky route's 500s.</summary>
    private static string PathOf(long k) => (k % 50, k % 10) switch
    {
        (0, _) => "/flaky",
        (1, _) => "/slow?ms=5",
        (_, 9) => "/items/0",
        (_, 7) => "/ping",
        (_, 6) => $"/users/u{k % 97}/orders/{k}",
        _ => $"/items/{(k % 1000) + 1}",
    };

    private static bool IsPurgeLine(string line) => line.Contains("retention deleted", StringComparison.Ordinal);

    /// <summary>Writes <paramref name="rows"/> requests from the hour before <paramref name="end"/> through the store itself, rollups included.</summary>
    private static async Task<long> SeedExpiredAsync(string database, long rows, DateTimeOffset end)
    {
        var store = new SqliteAnalyticsStore(database);
        try
        {
            await store.InitializeAsync(CancellationToken.None);
            var batch = new AnalyticsBatch();
            for (long i = 0; i < rows; i++)
            {
                batch.AddRequest(new RequestRecord
                {
                    Timestamp = end - TimeSpan.FromHours(1) + TimeSpan.FromTicks(TimeSpan.TicksPerHour * i / rows),
                    Method = "GET",
                    Route = i % 10 == 6 ? "/users/{userId}/orders/{orderId:int}" : "/items/{id:int}",
                    Path = i % 10 == 6 ? $"/users/u{i % 97}/orders/{i}" : $"/items/{(i % 1000) + 1}",
                    StatusCode = i % 10 == 9 ? 404 : 200,
                    Duration = TimeSpan.FromMicroseconds(100 + (i % 900)),
                    ResponseBytes = 50,
                    ClientIp = "127.0.0.0",
                    Protocol = "HTTP/1.1",
                    TraceId = i.ToString("x32", CultureInfo.InvariantCulture),
                    Environment = "Production",
                    Instance = Environment.MachineName,
                });
                if (batch.Requests.Count == 2_000 || i == rows - 1)
                {
                    await store.WriteBatchAsync(batch, CancellationToken.None);
                    batch.Clear();
                }
            }

            return rows;
        }
        finally
        {
            store.Dispose();
        }
    }

    private sealed record Sample(TimeSpan At, long Requests, long Rss, int Handles, long Database, long Wal, bool Purged);
}
