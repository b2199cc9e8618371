using Analytics.Storage;

namespace Analytics.Tests.Rollups;

/// <summary>
/// <see cref="LatencySketch.CountInBucketsAtOrBelow"/> on a sketch just read from a rollup row counts from its encoded
/// buckets, without materializing them (Apdex and latency objectives call it twice per row).
/// </summary>
public sealed class LatencySketchCountTests
{
    [Fact]
    public void CountInBucketsAtOrBelow_OfADecodedSketch_EqualsTheCountOfTheSketchItWasEncodedFrom()
    {
        var random = new Random(26);
        var sketch = new LatencySketch();
        sketch.Add(0, 7); // the zero bucket counts below every bound
        for (int i = 0; i < 5_000; i++)
        {
            sketch.Add(20_000 * Math.Exp(1.2 * ((random.NextDouble() * 2) - 1)));
        }

        byte[] encoded = sketch.ToBytes();
        double[] bounds = [-1, 0, 1e-4, 1, 5_000, 6_000, 12_345.6, 20_000, 39_999, 60_000, 1e9];
        foreach (double bound in bounds)
        {
            // A fresh decode each time: the count must not materialize the buckets, nor depend on whether they were.
            var decoded = LatencySketch.FromBytes(encoded);
            long fromEncoded = decoded.CountInBucketsAtOrBelow(bound);
            Assert.Equal(sketch.CountInBucketsAtOrBelow(bound), fromEncoded);
            _ = decoded.GetQuantile(0.5); // materializes
            Assert.Equal(fromEncoded, decoded.CountInBucketsAtOrBelow(bound));
        }

        // Bounds on each bucket's edges: the bucket holding the bound is counted, the next one is not.
        for (double bound = 5_000; bound < 70_000; bound *= 1.0101)
        {
            Assert.Equal(sketch.CountInBucketsAtOrBelow(bound), LatencySketch.FromBytes(encoded).CountInBucketsAtOrBelow(bound));
        }
    }
}
