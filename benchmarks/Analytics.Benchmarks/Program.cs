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

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
