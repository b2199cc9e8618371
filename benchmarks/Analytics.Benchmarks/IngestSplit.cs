using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Analytics.Benchmarks;

/// <summary>
/// "ingest-split [iterations]": where IngestBenchmarks' Pipeline spends its time, which BenchmarkDotNet does not say. Runs the
/// benchmark's bare statement, Pipeline and PipelineRollupsOnly in turn on the same records and prints per record: wall
/// time, the process's CPU time (both cores), the time the store spent in its transactions (analytics.pipeline.batch.duration,
/// summed), the batches, and the GCs. Rough figures for finding the cost, not the README's table.
/// </summary>
internal static class IngestSplit
{
    public static void Run(int iterations)
    {
        var benchmark = new IngestBenchmarks();
        benchmark.Setup();
        Console.WriteLine("| Method | wall µs | CPU µs | store µs | batches | gen0/1/2 | alloc B |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        for (var i = 0; i < iterations; i++)
        {
            Measure("RawSqliteIndexedBinds", benchmark.SetupRawInterned, () => { benchmark.RawSqliteIndexedBinds(); return Task.CompletedTask; }, benchmark.Cleanup);
            Measure("Pipeline", benchmark.SetupPipeline, benchmark.Pipeline, benchmark.Cleanup);
            Measure("PipelineRollupsOnly", benchmark.SetupRollupsOnly, benchmark.PipelineRollupsOnly, benchmark.Cleanup);
        }
    }

    private static void Measure(string name, Action setup, Func<Task> run, Action cleanup)
    {
        setup();
        double storeSeconds = 0;
        long batches = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AnalyticsMeter.Name && instrument.Name == "analytics.pipeline.batch.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            Interlocked.Increment(ref batches);
            lock (listener)
            {
                storeSeconds += value;
            }
        });
        listener.Start();
        int[] gcs = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        run().GetAwaiter().GetResult();
        wall.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        listener.Dispose();
        const double n = IngestBenchmarks.Records;
        Console.WriteLine(
            $"| {name} | {wall.Elapsed.TotalMicroseconds / n:0.000} | {cpu.TotalMicroseconds / n:0.000} | {storeSeconds * 1e6 / n:0.000} | {batches} | " +
            $"{GC.CollectionCount(0) - gcs[0]}/{GC.CollectionCount(1) - gcs[1]}/{GC.CollectionCount(2) - gcs[2]} | {allocated / n:0} |");
        cleanup();
    }
}
