using System.Buffers.Binary;
using Analytics.Storage;
using Xunit.Abstractions;


namespace Analytics.Tests.Rollups;

public sealed class LatencySketchTests(ITestOutputHelper output)
{
    private const int SampleCount = 100_000;

    // A value exactly on a bucket boundary is off by exactly RelativeAccuracy, so allow for the last bits of rounding.
    private const double Tolerance = LatencySketch.RelativeAccuracy + 1e-12;

    private static readonly double[] CheckedQuantiles = [0, 0.001, 0.01, 0.5, 0.95, 0.99, 0.999, 1];

    [Theory]
    [InlineData("uniform")]
    [InlineData("log-normal")]
    [InlineData("bimodal")]
    [InlineData("pareto")]
    public void Quantiles_AreWithinOnePercentOfExactNearestRankQuantiles(string distribution)
    {
        double[] samples = Samples(distribution, SampleCount);
        var sketch = Sketch(samples);

        Array.Sort(samples);
        foreach (double q in CheckedQuantiles)
        {
            double exact = samples[Math.Max(1, (int)Math.Ceiling(q * samples.Length)) - 1];
            double estimate = sketch.GetQuantile(q);
            Assert.True(
                RelativeError(estimate, exact) <= Tolerance,
                $"{distribution} q={q}: exact {exact}, estimate {estimate}, error {RelativeError(estimate, exact):P4}");
        }
    }

    [Theory]
    [InlineData(0.05, 100.0)]
    [InlineData(0.4, 400.0)]
    [InlineData(0.41, 500.0)]
    [InlineData(0.5, 500.0)]
    [InlineData(0.95, 1000.0)]
    public void Quantile_IsTheSmallestValueWithAtLeastThatFractionAtOrBelowIt(double q, double expected)
    {
        // Values are >10% apart, so each sits in its own bucket and a rank off by one misses by far more than 1%.
        var sketch = Sketch([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);

        Assert.InRange(RelativeError(sketch.GetQuantile(q), expected), 0, Tolerance);
    }

    [Fact]
    public void ExtremeQuantiles_AreTheExactMinAndMax()
    {
        double[] samples = Samples("pareto", SampleCount);
        var sketch = Sketch(samples);

        Assert.Equal(samples.Min(), sketch.GetQuantile(0));
        Assert.Equal(samples.Min(), sketch.Min);
        Assert.Equal(samples.Max(), sketch.GetQuantile(1));
        Assert.Equal(samples.Max(), sketch.Max);
    }

    [Fact]
    public void MergingSixtyMinuteSketches_EncodesIdenticallyToOneSketchOfAllValues()
    {
        // Whole microseconds keep every partial sum exact, so even the floating-point Sum cannot depend on merge order.
        // Every 1000th value is 0 so the zero bucket is merged too.
        double[] samples = Samples("log-normal", SampleCount).Select((s, i) => i % 1000 == 0 ? 0 : Math.Round(s)).ToArray();
        var single = Sketch(samples);

        // Sorting gives each minute its own range; merging the last minute first makes the merged window grow downwards.
        Array.Sort(samples);
        var merged = new LatencySketch();
        for (int minute = 59; minute >= 0; minute--)
        {
            merged.Merge(Sketch(samples[(minute * samples.Length / 60)..((minute + 1) * samples.Length / 60)]));
        }

        Assert.Equal(single.ToBytes(), merged.ToBytes());
        Assert.All(CheckedQuantiles, q => Assert.Equal(single.GetQuantile(q), merged.GetQuantile(q)));
    }

    [Fact]
    public void MergingFractionalValues_MatchesOneSketchOfAllValuesExceptForSumRounding()
    {
        double[] samples = Samples("bimodal", SampleCount);
        var single = Sketch(samples);

        var minutes = Enumerable.Range(0, 60).Select(_ => new LatencySketch()).ToArray();
        for (int i = 0; i < samples.Length; i++)
        {
            minutes[i * 60 / samples.Length].Add(samples[i]);
        }

        var merged = new LatencySketch();
        foreach (var minute in minutes)
        {
            merged.Merge(minute);
        }

        Assert.Equal(single.Count, merged.Count);
        Assert.Equal(single.Min, merged.Min);
        Assert.Equal(single.Max, merged.Max);
        Assert.Equal(single.Sum, merged.Sum, 1e-12 * single.Sum);
        for (int permille = 0; permille <= 1000; permille++)
        {
            Assert.Equal(single.GetQuantile(permille / 1000.0), merged.GetQuantile(permille / 1000.0));
        }
    }

    [Fact]
    public void MergingAnEmptySketch_ChangesNothing()
    {
        var sketch = Sketch(Samples("pareto", 1_000));
        byte[] expected = sketch.ToBytes();

        sketch.Merge(new LatencySketch());
        var empty = new LatencySketch();
        empty.Merge(sketch);

        Assert.Equal(expected, sketch.ToBytes());
        Assert.Equal(expected, empty.ToBytes());
    }

    [Theory]
    [InlineData("uniform")]
    [InlineData("log-normal")]
    [InlineData("bimodal")]
    [InlineData("pareto")]
    public void FromBytes_RestoresExactlyWhatToBytesEncoded(string distribution)
    {
        var sketch = Sketch(Samples(distribution, SampleCount));

        byte[] bytes = sketch.ToBytes();
        var decoded = LatencySketch.FromBytes(bytes);

        output.WriteLine($"{distribution}: {sketch.Count:N0} values encode to {bytes.Length:N0} bytes");
        Assert.Equal(bytes, decoded.ToBytes());
        Assert.Equal(sketch.Count, decoded.Count);
        Assert.Equal(sketch.Sum, decoded.Sum);
        Assert.Equal(sketch.Min, decoded.Min);
        Assert.Equal(sketch.Max, decoded.Max);
        Assert.All(CheckedQuantiles, q => Assert.Equal(sketch.GetQuantile(q), decoded.GetQuantile(q)));
    }

    [Theory]
    [InlineData("uniform")]
    [InlineData("log-normal")]
    [InlineData("bimodal")]
    [InlineData("pareto")]
    public void ADecodedSketch_MergesAddsAndAnswersExactlyLikeTheOriginal(string distribution)
    {
        // Decoded sketches keep their buckets encoded until needed; every operation must see the same buckets.
        var values = Samples(distribution, 20_000);
        var first = Sketch(values.Take(10_000));
        var second = Sketch(values.Skip(10_000));
        var both = Sketch(values);

        var mergedIntoNew = new LatencySketch();
        mergedIntoNew.Merge(LatencySketch.FromBytes(first.ToBytes()));
        mergedIntoNew.Merge(LatencySketch.FromBytes(second.ToBytes()));
        var mergedIntoDecoded = LatencySketch.FromBytes(first.ToBytes());
        mergedIntoDecoded.Merge(LatencySketch.FromBytes(second.ToBytes()));
        var selfMerged = LatencySketch.FromBytes(first.ToBytes());
        selfMerged.Merge(selfMerged);
        var doubled = Sketch(values.Take(10_000));
        doubled.Merge(first);
        var added = LatencySketch.FromBytes(first.ToBytes());
        foreach (var value in values.Skip(10_000))
        {
            added.Add(value);
        }

        foreach (var sketch in new[] { mergedIntoNew, mergedIntoDecoded, added })
        {
            Assert.Equal(both.Count, sketch.Count);
            Assert.Equal(both.Min, sketch.Min);
            Assert.Equal(both.Max, sketch.Max);
            Assert.All(CheckedQuantiles, q => Assert.Equal(both.GetQuantile(q), sketch.GetQuantile(q)));
            Assert.Equal(both.CountAtOrBelow(both.GetQuantile(0.5)), sketch.CountAtOrBelow(both.GetQuantile(0.5)));
        }

        Assert.Equal(doubled.ToBytes(), selfMerged.ToBytes());
        var decoded = LatencySketch.FromBytes(both.ToBytes());
        Assert.Equal(both.CountAtOrBelow(1_000), decoded.CountAtOrBelow(1_000));
        Assert.Equal(both.ToBytes(), LatencySketch.FromBytes(both.ToBytes()).ToBytes());
    }

    [Fact]
    public void ToBytes_OfHundredThousandLogNormalLatencies_FitsInOneKilobyte()
    {
        byte[] bytes = Sketch(Samples("log-normal", SampleCount)).ToBytes();

        output.WriteLine($"Encoded size: {bytes.Length:N0} bytes");
        Assert.InRange(bytes.Length, 1, 1024);
    }

    [Fact]
    public void FromBytes_RejectsEveryTruncation()
    {
        byte[] bytes = Sketch(Samples("log-normal", 10_000)).ToBytes();

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<FormatException>(() => LatencySketch.FromBytes(bytes.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(255)]
    public void FromBytes_RejectsUnknownVersions(byte version)
    {
        byte[] bytes = Sketch([1_000]).ToBytes();
        bytes[0] = version;

        var exception = Assert.Throws<FormatException>(() => LatencySketch.FromBytes(bytes));
        Assert.Contains("version", exception.Message);
    }

    [Fact]
    public void FromBytes_RejectsACountTheBucketsDoNotAddUpTo()
    {
        // Layout of a one-value sketch: version, count (1 byte), sum, min, max, zero count (1 byte), then its bucket.
        byte[] bytes = Sketch([1_000]).ToBytes();

        Assert.Throws<FormatException>(() => LatencySketch.FromBytes([1, .. Varint(long.MaxValue), .. bytes[2..]]));
        Assert.Throws<FormatException>(() => LatencySketch.FromBytes([1, .. Varint(2), .. bytes[2..]]));
        Assert.Throws<FormatException>(() => LatencySketch.FromBytes([.. bytes[..26], .. Varint(2), .. bytes[27..]]));
    }

    [Fact]
    public void FromBytes_RejectsCountsBeyondInt64()
    {
        var exception = Assert.Throws<FormatException>(() => LatencySketch.FromBytes([1, .. Varint(ulong.MaxValue)]));
        Assert.Contains("count overflows", exception.Message);
    }

    [Theory]
    [InlineData(0xFF, 0x02)]
    [InlineData(0x80, 0x80)]
    public void FromBytes_RejectsVarintsBeyondSixtyFourBits(byte firstNineBytes, byte tenthByte)
    {
        byte[] bytes = [1, .. Enumerable.Repeat(firstNineBytes, 9), tenthByte, 0x00];

        var exception = Assert.Throws<FormatException>(() => LatencySketch.FromBytes(bytes));
        Assert.Contains("varint overflows", exception.Message);
    }

    [Theory]
    [InlineData(1L << 31)]
    [InlineData(1L << 40)]
    [InlineData(long.MaxValue)]
    public void FromBytes_RejectsBucketIndexesOutsideTheRangeOfDoubles(long delta)
    {
        // The last two bytes are the second bucket (delta, count); replace its delta with one far beyond any double.
        byte[] bytes = Sketch([1_000, 2_000]).ToBytes();

        var exception = Assert.Throws<FormatException>(() => LatencySketch.FromBytes([.. bytes[..^2], .. Varint(ZigZag(delta)), 1]));
        Assert.Contains("out of range", exception.Message);
    }

    [Fact]
    public void FromBytes_RejectsBucketsThatAreNotAscending()
    {
        // A zero delta for the second bucket repeats the first bucket's index.
        byte[] bytes = Sketch([1_000, 2_000]).ToBytes();

        var exception = Assert.Throws<FormatException>(() => LatencySketch.FromBytes([.. bytes[..^2], 0, 1]));
        Assert.Contains("ascending", exception.Message);
    }

    [Fact]
    public void FromBytes_RejectsStatisticsThatContradictTheBuckets()
    {
        byte[] bytes = Sketch([1_000, 2_000]).ToBytes();

        Assert.Throws<FormatException>(() => LatencySketch.FromBytes(WithDouble(bytes, offset: 10, double.NaN)));
        Assert.Throws<FormatException>(() => LatencySketch.FromBytes(WithDouble(bytes, offset: 10, 500)));
        Assert.Throws<FormatException>(() => LatencySketch.FromBytes(WithDouble(bytes, offset: 18, double.PositiveInfinity)));
        Assert.Throws<FormatException>(() => LatencySketch.FromBytes(WithDouble(bytes, offset: 18, 3_000)));
        Assert.Throws<FormatException>(() => LatencySketch.FromBytes(WithDouble(bytes, offset: 2, -1)));
    }

    [Fact]
    public void FromBytes_RejectsTrailingBytes()
    {
        Assert.Throws<FormatException>(() => LatencySketch.FromBytes([.. new LatencySketch().ToBytes(), 0]));
        Assert.Throws<FormatException>(() => LatencySketch.FromBytes([.. Sketch([1_000]).ToBytes(), 0]));
    }

    [Fact]
    public void FromBytes_OfRandomlyCorruptedData_ThrowsNothingButFormatException()
    {
        byte[] valid = Sketch(Samples("pareto", 10_000)).ToBytes();
        var random = new Random(7);

        for (int i = 0; i < 20_000; i++)
        {
            byte[] corrupt = i % 2 == 0 ? [.. valid] : [1, .. RandomBytes(random, random.Next(64))];
            corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            try
            {
                LatencySketch.FromBytes(corrupt);
            }
            catch (FormatException)
            {
            }
        }
    }

    [Fact]
    public void EmptySketch_ReportsZeroAndEncodesInTwoBytes()
    {
        var sketch = new LatencySketch();

        Assert.Equal(0, sketch.Count);
        Assert.Equal(0, sketch.Sum);
        Assert.Equal(0, sketch.Min);
        Assert.Equal(0, sketch.Max);
        Assert.All(CheckedQuantiles, q => Assert.Equal(0, sketch.GetQuantile(q)));
        Assert.Equal([1, 0], sketch.ToBytes());
        Assert.Equal(0, LatencySketch.FromBytes(sketch.ToBytes()).Count);
    }

    [Fact]
    public void SingleValue_IsReportedExactlyAtEveryQuantile()
    {
        var sketch = Sketch([1_234.5]);

        Assert.Equal(1, sketch.Count);
        Assert.Equal(1_234.5, sketch.Sum);
        Assert.All(CheckedQuantiles, q => Assert.Equal(1_234.5, sketch.GetQuantile(q)));
    }

    [Fact]
    public void ValuesBelowOneNanosecond_AreReportedAsZero()
    {
        var sketch = new LatencySketch();
        sketch.Add(0, 10);
        sketch.Add(0.0004);
        sketch.Add(500);

        Assert.Equal(12, sketch.Count);
        Assert.Equal(0, sketch.Min);
        Assert.Equal(500, sketch.Max);
        Assert.Equal(0, sketch.GetQuantile(0.5));
        Assert.Equal(0, sketch.GetQuantile(0.9));
        Assert.Equal(500, sketch.GetQuantile(0.95));
        Assert.Equal(sketch.ToBytes(), LatencySketch.FromBytes(sketch.ToBytes()).ToBytes());
    }

    [Fact]
    public void SketchOfOnlySubNanosecondValues_ClampsQuantilesToTheExactMinAndMax()
    {
        var sketch = Sketch([0.0002, 0.0005]);

        Assert.Equal(0.0002, sketch.GetQuantile(0));
        Assert.Equal(0.0002, sketch.GetQuantile(0.5));
        Assert.Equal(0.0005, sketch.GetQuantile(1));
        Assert.Equal(sketch.ToBytes(), LatencySketch.FromBytes(sketch.ToBytes()).ToBytes());
    }

    [Fact]
    public void VeryLargeValues_StayWithinOnePercentAndRoundTrip()
    {
        double[] values = [1e9, 3e9, 1e12, double.MaxValue / 2, double.MaxValue];
        var sketch = Sketch(values);

        Assert.InRange(RelativeError(sketch.GetQuantile(0.2), 1e9), 0, Tolerance);
        Assert.InRange(RelativeError(sketch.GetQuantile(0.5), 1e12), 0, Tolerance);
        Assert.InRange(RelativeError(sketch.GetQuantile(0.8), double.MaxValue / 2), 0, Tolerance);
        Assert.Equal(double.MaxValue, sketch.GetQuantile(1));
        Assert.Equal(double.PositiveInfinity, sketch.Sum);
        Assert.Equal(sketch.ToBytes(), LatencySketch.FromBytes(sketch.ToBytes()).ToBytes());
    }

    [Fact]
    public void AddWithCount_IsEquivalentToAddingRepeatedly()
    {
        var repeated = new LatencySketch();
        for (int i = 0; i < 1_000; i++)
        {
            repeated.Add(750);
        }

        var counted = new LatencySketch();
        counted.Add(750, 1_000);

        Assert.Equal(1_000, counted.Count);
        Assert.Equal(750_000, counted.Sum);
        Assert.Equal(repeated.ToBytes(), counted.ToBytes());
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Add_RejectsLatenciesThatAreNotFiniteAndNonNegative(double microseconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencySketch().Add(microseconds));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Add_RejectsNonPositiveCounts(long count)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencySketch().Add(1, count));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void GetQuantile_RejectsQuantilesOutsideZeroToOne(double q)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sketch([1_000]).GetQuantile(q));
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(1, 1)]
    [InlineData(9.9, 1)]
    [InlineData(10, 2)]
    [InlineData(99, 2)]
    [InlineData(100, 3)]
    [InlineData(1e9, 3)]
    public void TheSketchCountsValuesAtOrBelowABound(double bound, long expected)
    {
        var sketch = new LatencySketch();
        sketch.Add(1);
        sketch.Add(10);
        sketch.Add(100);
        Assert.Equal(expected, sketch.CountAtOrBelow(bound));
    }

    private static LatencySketch Sketch(IEnumerable<double> values)
    {
        var sketch = new LatencySketch();
        foreach (double value in values)
        {
            sketch.Add(value);
        }

        return sketch;
    }

    private static double[] Samples(string distribution, int count)
    {
        var random = new Random(42);
        Func<double> next = distribution switch
        {
            "uniform" => () => random.NextDouble() * 100_000,
            "log-normal" => () => Math.Exp(Math.Log(20_000) + Gaussian(random)),
            "bimodal" => () => random.NextDouble() < 0.7
                ? Math.Max(0, 2_000 + (200 * Gaussian(random)))
                : Math.Max(0, 150_000 + (30_000 * Gaussian(random))),
            "pareto" => () => 1_000 / Math.Pow(1 - random.NextDouble(), 1 / 1.16),
            _ => throw new ArgumentOutOfRangeException(nameof(distribution), distribution, null),
        };

        return Enumerable.Range(0, count).Select(_ => next()).ToArray();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double RelativeError(double estimate, double exact) =>
        exact == 0 ? Math.Abs(estimate) : Math.Abs(estimate - exact) / exact;

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7)
        {
            bytes.Add((byte)(value | 0x80));
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static byte[] WithDouble(byte[] bytes, int offset, double value)
    {
        byte[] copy = [.. bytes];
        BinaryPrimitives.WriteDoubleLittleEndian(copy.AsSpan(offset), value);
        return copy;
    }
}
