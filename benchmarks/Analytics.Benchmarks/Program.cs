using Analytics.Benchmarks;
using BenchmarkDotNet.Running;

// "generate [requests] [days] [path]" builds the query benchmarks' database (DatabaseGenerator) without running them.
if (args is ["generate", ..])
{
    var requests = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : DatabaseGenerator.DefaultRequests;
    var days = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : DatabaseGenerator.DefaultDays;
    Console.WriteLine(DatabaseGenerator.Ensure(requests, days, args.Length > 3 ? args[3] : null));
    return;
}

// "capacity [runs: instances x rate, …] [raw rates] [seconds] [warm-up]" measures how much of one PostgreSQL N simulated app
// instances take (CapacityRun; benchmarks/README.md, "How far one PostgreSQL goes").
if (args is ["capacity", ..])
{
    await CapacityRun.RunAsync(args[1..]);
    return;
}

// "ingest-split [iterations]" prints where IngestBenchmarks' Pipeline spends its time (IngestSplit).
if (args is ["ingest-split", ..])
{
    IngestSplit.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
    return;
}

// "profile-query <range> <method> <count>" runs one QueryBenchmarks method in a loop, for perf to sample
// (benchmarks/README.md); the figures are BenchmarkDotNet's, this only prints a rough time per query after 50 warm-ups.
if (args is ["profile-query", var range, var name, var countText])
{
    var count = int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture);
    var benchmark = new QueryBenchmarks { Range = range };
    benchmark.Setup();
    var query = benchmark.Method(name);
    var stopwatch = System.Diagnostics.Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        if (i == 50)
        {
            stopwatch.Restart();
        }

        await query();
    }

    Console.WriteLine($"{range} {name}: {stopwatch.Elapsed.TotalMilliseconds / Math.Max(1, count - 50):0.00} ms a query");
    benchmark.Cleanup();
    return;
}

// "query-sweep [count]" runs every QueryBenchmarks method over every range in one process and prints the median of
// count runs each (default 21, after 5 warm-ups): a quick look while iterating; the README's figures are BenchmarkDotNet's.
if (args is ["query-sweep", ..])
{
    var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 21;
    string[] methods =
        ["Overview", "TimeSeries", "Routes", "StatusCodes", "Errors", "Heatmap", "Events", "HealthMetrics", "Consumers", "Releases",
         "Endpoints", "RoutesWithStatus401", "Slos", "Uptime"];
    string[] ranges = ["15m", "1h", "6h", "24h", "7d", "30d", "90d"];
    Console.WriteLine("| Method | " + string.Join(" | ", ranges) + " |");
    var benchmarks = ranges.Select(r => new QueryBenchmarks { Range = r }).ToArray();
    foreach (var benchmark in benchmarks)
    {
        benchmark.Setup();
    }

    foreach (var method in methods)
    {
        var cells = new List<string>();
        foreach (var benchmark in benchmarks)
        {
            var query = benchmark.Method(method);
            var times = new double[count];
            for (var i = -5; i < count; i++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await query();
                if (i >= 0)
                {
                    times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            }

            Array.Sort(times);
            cells.Add(times[count / 2].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        }

        Console.WriteLine($"| {method} | " + string.Join(" | ", cells) + " |");
    }

    foreach (var benchmark in benchmarks)
    {
        benchmark.Cleanup();
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
