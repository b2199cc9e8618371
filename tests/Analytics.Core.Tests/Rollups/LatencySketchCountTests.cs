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

    [Fact]
    public void CountingAtTwoBoundsInOneWalk_EqualsCountingAtEach_AndTheValuesAddedWhereNoneIsNearABound()
    {
        var random = new Random(27);
        var values = new List<double> { 0, 0, 0 };
        for (int i = 0; i < 3_000; i++)
        {
            values.Add(20_000 * Math.Exp(1.2 * ((random.NextDouble() * 2) - 1)));
        }

        var sketch = new LatencySketch();
        foreach (double value in values)
        {
            sketch.Add(value);
        }

        byte[] encoded = sketch.ToBytes();
        (double, double)[] pairs =
        [
            (5_000, 20_000), (20_000, 80_000), (100, 400), (1e9, 4e9), (0, 0), (1e-4, 4e-4), (-1, 10_000), (12_345.6, 12_345.6),
            (6_000, 1e9),
        ];
        foreach (var (lower, upper) in pairs)
        {
            var expected = (sketch.CountInBucketsAtOrBelow(lower), sketch.CountInBucketsAtOrBelow(upper));
            Assert.Equal(expected, LatencySketch.FromBytes(encoded).CountInBucketsAtOrBelow(lower, upper));
            Assert.Equal(expected, sketch.CountInBucketsAtOrBelow(lower, upper));
            foreach (double bound in new[] { lower, upper })
            {
                // Against the values themselves, where no value is within the sketch's accuracy of the bound.
                if (bound >= 0 && !values.Exists(v => v > 0 && Math.Abs(v - bound) <= 2 * LatencySketch.RelativeAccuracy * bound))
                {
                    Assert.Equal(values.Count(v => v <= bound), LatencySketch.FromBytes(encoded).CountInBucketsAtOrBelow(bound));
                }
            }
        }

        Assert.Equal(values.Count, LatencySketch.FromBytes(encoded).CountInBucketsAtOrBelow(1e9)); // above the highest bucket
    }
}
