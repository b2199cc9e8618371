using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Analytics.Benchmarks;

/// <summary>
/// The <c>capacity</c> verb: how much of one PostgreSQL server N app instances take. Each run starts N
/// <see cref="CapacityInstance"/>s on a fresh schema, offers each one API-shaped records at a fixed rate (timestamps =
/// now) through a warm-up and a measured window, then flushes and stops them and fails if a record was lost: refused,
/// dropped, unwritten, or missing from the minute rollups' counts in the database. Over the window it reports the
/// cluster's CPU, this process's, and the writers' batch times (commit latency), and at the end fits
/// <c>PostgreSQL CPU % = a + instances × (f + rate × k)</c> over the runs of each mode.
/// </summary>
internal static class CapacityRun
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// <c>capacity [runs 1x500,4x500,16x500,4x2000] [raw sample rates 0,0.01] [seconds 30] [warm-up 10]</c>: each run is
    /// instances x requests/s per instance, and every run is made in each raw mode. Runs at a second rate let the fit
    /// tell the per-instance cost from the per-request one.
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var runs = List(args, 0, "1x500,4x500,16x500,4x2000", (s, c) => s.Split('x') is [var n, var r]
            ? (Instances: int.Parse(n, c), Rate: int.Parse(r, c))
            : throw new ArgumentException($"'{s}' is not instances x rate, for example 4x500.", nameof(args)));
        var rawRates = List(args, 1, "0,0.01", double.Parse);
        var window = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 30);
        var warmup = TimeSpan.FromSeconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10);
        var connectionString = Environment.GetEnvironmentVariable("ANALYTICS_POSTGRES")
            ?? throw new InvalidOperationException(
                "Set ANALYTICS_POSTGRES and ANALYTICS_POSTGRES_DIR: source the output of tests/postgres-server.sh start.");
        var postmaster = CapacityCpu.PostmasterPid(Environment.GetEnvironmentVariable("ANALYTICS_POSTGRES_DIR")
            ?? throw new InvalidOperationException("Set ANALYTICS_POSTGRES_DIR, the cluster's folder, to read its processes' CPU."));

        var runList = string.Join(',', runs.Select(r => $"{r.Instances}x{r.Rate}"));
        Console.WriteLine($"capacity: runs {runList}, raw {string.Join(',', rawRates)}, " +
            $"{window.TotalSeconds:0} s after {warmup.TotalSeconds:0} s warm-up; CPU % of one core; {Environment.ProcessorCount} cores");
        Console.WriteLine("| Writers | Mode | Rate per instance | PostgreSQL CPU | CPU ms per 1 000 requests | Commit p50 / p99 ms " +
            "| Batches/s per instance | PostgreSQL processes | Client CPU | Machine busy | Raw rows | Lost |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var results = new List<CapacityResult>();
        foreach (var raw in rawRates)
        {
            foreach (var (count, rate) in runs)
            {
                var result = await RunOneAsync(connectionString, postmaster, count, rate, raw, window, warmup);
                Console.WriteLine(result.Row());
                results.Add(result);
            }
        }

        foreach (var raw in rawRates)
        {
            Console.WriteLine(CapacityModel.Fit([.. results.Where(r => r.RawSampleRate == raw)]));
        }
    }

    private static async Task<CapacityResult> RunOneAsync(
        string connectionString, int postmaster, int count, int rate, double raw, TimeSpan window, TimeSpan warmup)
    {
        var schema = "capacity_" + Guid.NewGuid().ToString("N")[..12];
        using var batchTimes = new CapacityBatchTimes();
        await using var admin = NpgsqlDataSource.Create(connectionString);
        var instances = new List<CapacityInstance>();
        var lost = new List<string>();
        try
        {
            for (var i = 1; i <= count; i++)
            {
                instances.Add(await CapacityInstance.StartAsync(i, connectionString, schema, raw));
            }

            // One pacer for all instances: every tick tops each one up to rate × elapsed, so a late tick catches up.
            using var timer = new PeriodicTimer(Tick);
            var started = Stopwatch.GetTimestamp();
            long offeredEach = 0;
            CapacityCpu? begin = null;
            long offeredAtBegin = 0;
            while (await timer.WaitForNextTickAsync())
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                var due = (long)(rate * Math.Min(elapsed.TotalSeconds, (warmup + window).TotalSeconds));
                var now = TimeProvider.System.GetUtcNow();
                for (; offeredEach < due; offeredEach++)
                {
                    foreach (var instance in instances)
                    {
                        instance.Offer(now);
                    }
                }

                if (begin is null && elapsed >= warmup)
                {
                    begin = CapacityCpu.Read(postmaster);
                    offeredAtBegin = instances.Sum(i => i.Offered);
                    batchTimes.Start();
                }
                else if (elapsed >= warmup + window)
                {
                    break;
                }
            }

            var end = CapacityCpu.Read(postmaster);
            var (batches, p50, p99) = batchTimes.Stop();
            var offeredInWindow = instances.Sum(i => i.Offered) - offeredAtBegin;

            foreach (var instance in instances)
            {
                await instance.FlushAsync();
            }

            var offered = instances.Sum(i => i.Offered);
            foreach (var instance in instances)
            {
                if (await instance.StopAsync() is { } message)
                {
                    lost.Add(message);
                }
            }

            instances.Clear();
            var (counted, rawRows) = await CountStoredAsync(admin, schema);
            if (counted != offered)
            {
                lost.Add($"The minute rollups count {counted} requests of the {offered} offered.");
            }

            if (batchTimes.Failed > 0)
            {
                lost.Add($"{batchTimes.Failed} batch writes failed and were retried.");
            }

            var result = new CapacityResult(count, rate, raw, begin!.Value, end, offeredInWindow, batches, p50, p99, rawRows, offered - counted);
            if (lost.Count > 0)
            {
                Console.WriteLine(result.Row());
                throw new InvalidOperationException(string.Join(Environment.NewLine, lost));
            }

            return result;
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.StopAsync();
            }

            await using var drop = admin.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;");
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task<(long Requests, long RawRows)> CountStoredAsync(NpgsqlDataSource admin, string schema)
    {
        // Granularity 0 is the minute: every request is counted in exactly one minute row, whether kept raw or not.
        await using var command = admin.CreateCommand(
            $"SELECT (SELECT coalesce(sum(count), 0)::bigint FROM \"{schema}\".request_rollups WHERE granularity = 0), " +
            $"(SELECT count(*) FROM \"{schema}\".requests);");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static T[] List<T>(string[] args, int index, string fallback, Func<string, IFormatProvider, T> parse) =>
        [.. (args.Length > index ? args[index] : fallback).Split(',').Select(s => parse(s, CultureInfo.InvariantCulture))];
}
