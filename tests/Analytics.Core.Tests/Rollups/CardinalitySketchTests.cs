using Analytics.Queries;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Rollups;

public sealed class CardinalitySketchTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(1_000)]
    [InlineData(10_000)]
    [InlineData(100_000)]
    [InlineData(1_000_000)]
    [InlineData(5_000_000)]
    public void EstimatesAreWithinThreePercentFromOneValueToMillions(int distinct)
    {
        var sketch = new CardinalitySketch();
        for (int i = 0; i < distinct; i++)
        {
            sketch.Add($"user-{i}");
        }

        long estimate = sketch.Estimate();

        Assert.True(Math.Abs(estimate - distinct) <= Math.Max(1, distinct * 0.03), $"{distinct} distinct values estimated as {estimate}");
    }

    [Fact]
    public void TheErrorOverManyIndependentSketchesMatchesTheStatedStandardError()
    {
        // 200 sketches of 20 000 values each: the relative errors' spread is the estimator's standard error.
        var errors = new List<double>();
        for (int s = 0; s < 200; s++)
        {
            var sketch = new CardinalitySketch();
            for (int i = 0; i < 20_000; i++)
            {
                sketch.Add($"{s}:{i}");
            }

            errors.Add((sketch.Estimate() - 20_000) / 20_000.0);
        }

        double mean = errors.Average();
        double deviation = Math.Sqrt(errors.Sum(e => (e - mean) * (e - mean)) / errors.Count);

        Assert.InRange(Math.Abs(mean), 0, 0.003); // unbiased
        Assert.InRange(deviation, CardinalitySketch.StandardError * 0.7, CardinalitySketch.StandardError * 1.3);
    }

    [Fact]
    public void RepeatedValuesCountOnceAndAnEmptySketchIsZero()
    {
        var sketch = new CardinalitySketch();
        Assert.Equal(0, sketch.Estimate());
        Assert.True(sketch.IsEmpty);

        for (int i = 0; i < 10_000; i++)
        {
            sketch.Add($"user-{i % 50}");
        }

        Assert.Equal(50, sketch.Estimate());
        Assert.False(sketch.IsEmpty);
    }

    [Fact]
    public void MergingMinuteSketchesIsExactlyTheSketchOfTheHour()
    {
        var hour = new CardinalitySketch();
        var merged = new CardinalitySketch();
        var random = new Random(7);
        for (int minute = 0; minute < 60; minute++)
        {
            var sketch = new CardinalitySketch();
            for (int i = 0; i < 2_000; i++)
            {
                string user = $"user-{random.Next(50_000)}";
                sketch.Add(user);
                hour.Add(user);
            }

            merged.Merge(CardinalitySketch.FromBytes(sketch.ToBytes()));
        }

        Assert.Equal(hour.ToBytes(), merged.ToBytes());
        Assert.Equal(hour.Estimate(), merged.Estimate());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1_024)]
    [InlineData(1_025)]
    [InlineData(50_000)]
    public void EncodingRoundTripsSparseAndDenseSketches(int distinct)
    {
        var sketch = new CardinalitySketch();
        for (int i = 0; i < distinct; i++)
        {
            sketch.Add($"client-{i}");
        }

        var bytes = sketch.ToBytes();
        var decoded = CardinalitySketch.FromBytes(bytes);

        Assert.Equal(sketch.Estimate(), decoded.Estimate());
        Assert.Equal(bytes, decoded.ToBytes());
        Assert.True(bytes.Length <= 3 + CardinalitySketch.RegisterCount, $"{bytes.Length} bytes");

        // Held dense in memory past a few hundred registers, but encoded sparse up to 1 024 of them: small rows stay small.
        Assert.Equal(distinct > 2_000 ? 1 : 0, bytes[2]); // 1 025 values set fewer than 1 025 registers
        if (distinct <= 3)
        {
            Assert.True(bytes.Length <= 4 + (distinct * 3), $"a sketch of {distinct} values takes {bytes.Length} bytes");
        }
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(40, 40)]
    [InlineData(900, 400)]
    [InlineData(5_000, 10)]
    public void ADecodedSketchAddsAndMergesLikeTheOneItWasEncodedFrom(int before, int after)
    {
        // Decoded sketches are held packed until something is added; every path must give the same sketch.
        var original = new CardinalitySketch();
        var other = new CardinalitySketch();
        for (int i = 0; i < before; i++)
        {
            original.Add($"user-{i}");
            other.Add($"other-{i}");
        }

        var decoded = CardinalitySketch.FromBytes(original.ToBytes());
        var mergedIntoDecoded = CardinalitySketch.FromBytes(original.ToBytes());
        mergedIntoDecoded.Merge(CardinalitySketch.FromBytes(other.ToBytes()));
        var mergedIntoNew = new CardinalitySketch();
        mergedIntoNew.Merge(CardinalitySketch.FromBytes(original.ToBytes()));
        mergedIntoNew.Merge(CardinalitySketch.FromBytes(other.ToBytes()));
        original.Merge(other);
        Assert.Equal(original.ToBytes(), mergedIntoDecoded.ToBytes());
        Assert.Equal(original.ToBytes(), mergedIntoNew.ToBytes());

        var reference = CardinalitySketch.FromBytes(original.ToBytes());
        for (int i = 0; i < after; i++)
        {
            decoded.Add($"late-{i}");
            reference.Add($"late-{i}");
            original.Add($"late-{i}");
        }

        Assert.Equal(before == 0 && after == 0, decoded.IsEmpty);
        Assert.Equal(original.Estimate(), reference.Estimate());
        Assert.Equal(original.ToBytes(), reference.ToBytes());
        Assert.True(decoded.Estimate() >= after * 0.9, $"{decoded.Estimate()} after adding {after}");
    }

    public static TheoryData<byte[]> DamagedSketches => new()
    {
        Array.Empty<byte>(),
        new byte[] { 1, 13 },
        new byte[] { 2, 13, 0, 0 },                // unknown version
        new byte[] { 1, 12, 0, 0 },                // another precision
        new byte[] { 1, 13, 9, 0 },                // unknown kind
        new byte[] { 1, 13, 0, 2, 0x41 },          // fewer registers than announced
        new byte[] { 1, 13, 0, 1, 0x40 },          // rank 0
        new byte[] { 1, 13, 0, 1, 0x7F },          // rank 63, above the maximum
        new byte[] { 1, 13, 0, 2, 0x41, 0x01 },    // the same register twice
        new byte[] { 1, 13, 0, 1, 0x41, 0x00 },    // trailing data
        new byte[] { 1, 13, 0, 0x81, 0x80, 0x01 }, // more registers than exist
        new byte[] { 1, 13, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, // a varint too long
        new byte[] { 1, 13, 1, 0 },                // a dense sketch that is too short
    };

    [Theory]
    [MemberData(nameof(DamagedSketches))]
    public void DamagedDataIsAFormatException(byte[] data) =>
        Assert.Throws<FormatException>(() => CardinalitySketch.FromBytes(data));

    [Fact]
    public void ADenseSketchWithARankOutOfRangeIsAFormatException()
    {
        var data = new byte[3 + CardinalitySketch.RegisterCount];
        data[0] = 1;
        data[1] = 13;
        data[2] = 1;
        data[100] = 60;

        Assert.Throws<FormatException>(() => CardinalitySketch.FromBytes(data));
    }

    [Fact]
    public async Task AMillionUsersAreCountedWithinThreePercentThroughTheRollupsAtEveryGranularity()
    {
        var traffic = UniqueTraffic.Create(1_000_000, TestData.Start, TimeSpan.FromDays(3));
        var store = new FakeStore();
        foreach (var chunk in traffic.Requests.Chunk(50_000))
        {
            await store.WriteBatchAsync(TestData.Batch(chunk, keepRaw: false), default);
        }

        var queries = new AnalyticsQueries(store, Options.Create(new RequestAnalyticsOptions()), new FakeTimeProvider(TestData.Start.AddDays(4)));
        await traffic.AssertQueriesAsync(queries);
    }
}
