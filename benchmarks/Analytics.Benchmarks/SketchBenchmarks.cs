using Analytics.Storage;
using BenchmarkDotNet.Attributes;

namespace Analytics.Benchmarks;

/// <summary>
/// The latency sketch behind every rollup's percentiles: adding a value (once per request, in the writer), merging two
/// sketches (once per rollup row per batch, and for every bucket a query reads), a quantile, and the BLOB round trip.
/// Values are log-normal latencies around 20 ms, as the rollups see them. Encoded sizes are printed at setup.
/// </summary>
[MemoryDiagnoser]
public class SketchBenchmarks
{
    private const int Values = 10_000;
    private const int Rows = 90;

    private readonly double[] _values = new double[Values];
    private LatencySketch _minute = null!; // a busy minute bucket: 10 000 values
    private LatencySketch _other = null!;
    private byte[] _encoded = null!;
    private byte[][] _rows = null!; // 90 rows' sketches of 111 values each, as a read over 90 day rows finds them

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (var i = 0; i < Values; i++)
        {
            // Log-normal, median 20 ms, sigma 1: from about 1 ms to over a second.
            var gaussian = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
            _values[i] = 20_000 * Math.Exp(gaussian);
        }

        _minute = Fill(0, Values);
        _other = Fill(Values / 2, Values / 2);
        _encoded = _minute.ToBytes();
        _rows = [.. Enumerable.Range(0, Rows).Select(i => Fill(i * (Values / Rows), Values / Rows).ToBytes())];
        var single = new LatencySketch();
        single.Add(_values[0]);
        Console.WriteLine($"// encoded sizes: 1 value {single.ToBytes().Length} B, {Values} values {_encoded.Length} B " +
            $"({_minute.GetQuantile(0.5) / 1000:0.0} ms p50, {_minute.GetQuantile(0.99) / 1000:0.0} ms p99)");
    }

    /// <summary>Adds one value; the figure is per value (10 000 per invocation into a fresh sketch).</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public LatencySketch Add() => Fill(0, Values);

    [Benchmark]
    public LatencySketch Merge()
    {
        var sketch = new LatencySketch();
        sketch.Merge(_minute);
        sketch.Merge(_other);
        return sketch;
    }

    [Benchmark]
    public double Quantiles() => _minute.GetQuantile(0.5) + _minute.GetQuantile(0.95) + _minute.GetQuantile(0.99);

    [Benchmark]
    public byte[] Encode() => _minute.ToBytes();

    [Benchmark]
    public LatencySketch Decode() => LatencySketch.FromBytes(_encoded);

    /// <summary>What a rollup read does with each row's sketch: decode it and merge it into the total; per row.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public LatencySketch DecodeAndMergeRows()
    {
        var total = new LatencySketch();
        foreach (var row in _rows)
        {
            total.Merge(LatencySketch.FromBytes(row));
        }

        return total;
    }

    private LatencySketch Fill(int start, int count)
    {
        var sketch = new LatencySketch();
        foreach (var value in _values.AsSpan(start, count))
        {
            sketch.Add(value);
        }

        return sketch;
    }
}
