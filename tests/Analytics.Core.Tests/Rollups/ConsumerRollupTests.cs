using Analytics.Storage;
using Analytics.Testing.Conformance;

namespace Analytics.Tests.Rollups;

/// <summary>The per-consumer rollups, the distinct-consumer sketch and the release key, as a batch folds them.</summary>
public sealed class ConsumerRollupTests
{
    private const string Other = "(other)";
    private static readonly DateTimeOffset Start = TestData.Start;
    private static readonly Granularity[] Granularities = [Granularity.Minute, Granularity.Hour, Granularity.Day];

    [Fact]
    public void PerConsumerCountsAreExactAtEveryGranularityAndRequestsWithoutAConsumerAreNotInThem()
    {
        var random = new Random(5);
        var requests = Enumerable.Range(0, 6_000).Select(i =>
        {
            var client = random.Next(6); // one in six names none
            return Request(
                Start.AddHours(22).AddSeconds(random.Next(0, 4 * 3600)),
                consumer: client == 5 ? null : $"client-{client}",
                route: i % 3 == 0 ? "/a" : "/b",
                status: i % 11 == 0 ? 500 : 200,
                milliseconds: random.Next(1, 900));
        }).ToList();

        var batch = TestData.Batch(requests);

        foreach (var granularity in Granularities)
        {
            var rows = batch.ConsumerRollups.Where(r => r.Granularity == granularity).ToList();
            var expected = requests.Where(r => r.Consumer is not null)
                .GroupBy(r => (Bucket: granularity.Floor(r.Timestamp), r.Route, r.StatusCode, Consumer: r.Consumer!))
                .ToDictionary(g => g.Key, g => g.ToList());
            Assert.Equal(expected.Count, rows.Count);
            foreach (var row in rows)
            {
                var members = expected[(row.BucketStart, row.Route, row.StatusCode, row.Consumer!)];
                Assert.Equal(members.Count, row.Count);
                Assert.Equal(members.Count(r => r.IsError), row.Errors);
                Assert.Equal(members.Sum(r => r.Duration.Ticks / 10), row.DurationSumMicroseconds);
                Assert.Equal(members.Max(r => r.Duration.Ticks / 10), row.DurationMaxMicroseconds);
                Assert.Equal(Sketch(members).GetQuantile(0.95), row.Latency!.GetQuantile(0.95));
                Assert.Null(row.Consumers);
            }
        }

        Assert.All(batch.RequestRollups, r => Assert.Null(r.Consumer));
        Assert.Equal(requests.Count * 3L, batch.RequestRollups.Sum(r => r.Count));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(RequestAnalyticsDefaults.MaxConsumersPerBucket)]
    public void OtherAppearsExactlyWhenABucketHasMoreConsumersThanTheLimit(int limit)
    {
        // The limit's consumers, twice each: every one keeps its name and no (other) row is written.
        var atLimit = Consumers(limit).SelectMany(c => new[] { c, c }).ToList();
        var batch = Batch(limit, atLimit.Select(c => Request(Start.AddSeconds(5), c)));
        Assert.DoesNotContain(batch.ConsumerRollups, r => r.Consumer == Other);
        Assert.All(batch.ConsumerRollups, r => Assert.Equal(2, r.Count));
        Assert.All(Granularities, g => Assert.Equal(limit, batch.ConsumerRollups.Count(r => r.Granularity == g)));

        // One more consumer, then a known one again: the newcomer alone is (other), at every granularity.
        var overLimit = atLimit.Append("late-comer").Append(atLimit[0]);
        batch = Batch(limit, overLimit.Select(c => Request(Start.AddSeconds(5), c)));
        foreach (var granularity in Granularities)
        {
            var rows = batch.ConsumerRollups.Where(r => r.Granularity == granularity).ToList();
            Assert.Equal(limit + 1, rows.Count);
            Assert.Equal(1, Assert.Single(rows, r => r.Consumer == Other).Count);
            Assert.Equal(3, Assert.Single(rows, r => r.Consumer == atLimit[0]).Count);
            Assert.DoesNotContain(rows, r => r.Consumer == "late-comer");
        }
    }

    [Fact]
    public void ABucketsLimitHoldsAcrossTheWritersBatches()
    {
        var admission = new ConsumerAdmission(2);
        var first = new AnalyticsBatch(null, admission);
        first.AddRequest(Request(Start.AddSeconds(1), "a"));
        first.AddRequest(Request(Start.AddSeconds(2), "b"));
        var second = new AnalyticsBatch(null, admission);
        second.AddRequest(Request(Start.AddSeconds(3), "c"));
        second.AddRequest(Request(Start.AddSeconds(4), "a"));

        Assert.Equal(
            ["(other)", "a"],
            second.ConsumerRollups.Where(r => r.Granularity == Granularity.Minute).Select(r => r.Consumer).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void HoursAndDaysMergeTheirMinutesAndCountEachRequestUnderTheNameTheirOwnBucketGaveIt()
    {
        // Limit 2. Minute 0: a. Minute 1: b, c, then a, which minute 1 has no room for but the hour named first.
        // Minute 2: d, which neither the hour nor the day has room for.
        var requests = new[]
        {
            Request(Start, "a", milliseconds: 1),
            Request(Start.AddMinutes(1), "b", milliseconds: 2),
            Request(Start.AddMinutes(1), "c", milliseconds: 3),
            Request(Start.AddMinutes(1), "a", milliseconds: 4),
            Request(Start.AddMinutes(2), "d", milliseconds: 5),
        };
        var batch = Batch(2, requests);

        Assert.Equal(
            [(0, "a", 1L), (1, Other, 1L), (1, "b", 1L), (1, "c", 1L), (2, "d", 1L)],
            Rows(batch, Granularity.Minute).Select(r => ((int)(r.BucketStart - Start).TotalMinutes, r.Consumer!, r.Count)));
        foreach (var granularity in new[] { Granularity.Hour, Granularity.Day })
        {
            var rows = Rows(batch, granularity);
            Assert.Equal([(Other, 2L), ("a", 2L), ("b", 1L)], rows.Select(r => (r.Consumer!, r.Count)));

            // Every request counted once, and each row's sketch is the exact merge of its requests' durations.
            Assert.Equal(requests.Length, rows.Sum(r => r.Count));
            Assert.Equal([1_000L, 4_000L], [rows.Single(r => r.Consumer == "a").DurationMinMicroseconds, rows.Single(r => r.Consumer == "a").DurationMaxMicroseconds]);
            Assert.Equal(Sketch([requests[2], requests[4]]).ToBytes(), rows.Single(r => r.Consumer == Other).Latency!.ToBytes());
        }
    }

    [Fact]
    public void ReleasesKeepRowsApartInTheRequestAndConsumerRollups()
    {
        var batch = TestData.Batch(
        [
            Request(Start, "a") with { Release = "1.0" },
            Request(Start.AddSeconds(1), "a") with { Release = "1.1" },
            Request(Start.AddSeconds(2), "a") with { Release = "1.1" },
            Request(Start.AddSeconds(3), consumer: null) with { Release = "1.1" },
        ]);

        foreach (var granularity in Granularities)
        {
            Assert.Equal(
                [("1.0", 1L), ("1.1", 3L)],
                batch.RequestRollups.Where(r => r.Granularity == granularity).OrderBy(r => r.Release).Select(r => (r.Release!, r.Count)));
            Assert.Equal(
                [("1.0", 1L), ("1.1", 2L)],
                batch.ConsumerRollups.Where(r => r.Granularity == granularity).OrderBy(r => r.Release).Select(r => (r.Release!, r.Count)));
        }
    }

    [Fact]
    public void TheDistinctConsumerSketchIsExactWhateverOrderTheRequestsComeInAndCountsThoseBeyondTheLimit()
    {
        var random = new Random(17);
        var requests = Enumerable.Range(0, 3_000).Select(i =>
        {
            var run = i / (1 + random.Next(4));
            return Request(Start.AddSeconds(i % 150), i % 5 == 0 ? null : $"client-{run % 70}", route: i % 2 == 0 ? "/a" : "/b");
        }).ToList();

        var batch = Batch(10, requests);

        foreach (var row in batch.RequestRollups)
        {
            var expected = new CardinalitySketch();
            foreach (var request in requests.Where(r => row.Granularity.Floor(r.Timestamp) == row.BucketStart && r.Route == row.Route))
            {
                if (request.Consumer is { } consumer)
                {
                    expected.Add(consumer);
                }
            }

            Assert.Equal(expected.ToBytes(), row.Consumers!.ToBytes());
        }
    }

    [Fact]
    public void AFloodOfConsumersOverManyBucketsHoldsAFewBucketsOfNamesAtMost()
    {
        const int Limit = 50;
        var admission = new ConsumerAdmission(Limit);
        var batch = new AnalyticsBatch(null, admission);
        var held = 0;
        for (var minute = 0; minute < 6 * 24 * 60; minute += 7)
        {
            for (var i = 0; i < 120; i++)
            {
                batch.AddRequest(Request(Start.AddMinutes(minute), $"flood-{minute}-{i}"), keepRaw: false);
            }

            held = Math.Max(held, admission.HeldBuckets);
            Assert.True(admission.HeldNames <= admission.HeldBuckets * Limit);
            batch.Clear();
        }

        Assert.Equal(3 * ConsumerAdmission.BucketsPerGranularity, held);

        // A record for a bucket let go long ago starts a new set of names for it rather than failing.
        batch.AddRequest(Request(Start, "late"), keepRaw: false);
        Assert.Contains(batch.ConsumerRollups, r => r.Granularity == Granularity.Minute && r.Consumer == "late");
    }

    private static RequestRecord Request(
        DateTimeOffset timestamp, string? consumer, string route = "/items/{id}", int status = 200, double milliseconds = 10) =>
        TestData.Request(timestamp, route, status: status, milliseconds: milliseconds) with { Consumer = consumer };

    private static AnalyticsBatch Batch(int limit, IEnumerable<RequestRecord> requests)
    {
        var batch = new AnalyticsBatch(null, new ConsumerAdmission(limit));
        foreach (var request in requests)
        {
            batch.AddRequest(request);
        }

        return batch;
    }

    private static IEnumerable<string> Consumers(int count) => Enumerable.Range(0, count).Select(i => $"consumer-{i:D5}");

    private static List<RequestRollup> Rows(AnalyticsBatch batch, Granularity granularity) =>
    [
        .. batch.ConsumerRollups.Where(r => r.Granularity == granularity)
            .OrderBy(r => r.BucketStart).ThenBy(r => r.Consumer, StringComparer.Ordinal),
    ];

    private static LatencySketch Sketch(IEnumerable<RequestRecord> requests)
    {
        var sketch = new LatencySketch();
        foreach (var request in requests)
        {
            sketch.Add(request.Duration.Ticks / 10.0);
        }

        return sketch;
    }
}
