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

// "profile-query <1h|24h|7d|30d> <overview|timeseries|routes> <count>" runs one query in a loop, for perf to sample
// (benchmarks/README.md); the figures are BenchmarkDotNet's, this only prints a rough time per query after 50 warm-ups.
if (args is ["profile-query", var range, var name, var countText])
{
    var count = int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture);
    var benchmark = new QueryBenchmarks { Range = range };
    benchmark.Setup();
    Func<Task> query = name switch
    {
        "overview" => benchmark.Overview,
        "timeseries" => benchmark.TimeSeries,
        "routes" => benchmark.Routes,
        _ => throw new ArgumentException($"Unknown query '{name}': overview, timeseries or routes.", nameof(args)),
    };
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

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
