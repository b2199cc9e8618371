using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// Traffic and checks for <see cref="RollupQuery.BucketTotals"/>, for the conformance suite and a store's own tests (a
/// migration that builds the totals of existing rollups).
/// </summary>
public static class BucketTotalsChecks
{
    /// <summary>
    /// Builds one batch of the traffic: two routes, three status classes, plain requests and WebSockets, users,
    /// clients and consumers, over the 20 minutes around the end of <see cref="StoreTestData.Start"/>'s day, so that
    /// minutes, hours and days all have two buckets. Batches with different numbers add to the same rows.
    /// </summary>
    /// <param name="number">Which batch: its durations, users and clients differ from the others'.</param>
    /// <returns>The batch, with raw rows.</returns>
    public static AnalyticsBatch Traffic(int number)
    {
        var first = Start.AddDays(1).AddMinutes(-10);
        var requests = new List<RequestRecord>();
        for (int i = 0; i < 120; i++)
        {
            int status = (i % 5) switch { 0 => 500, 1 => 404, _ => 200 };
            requests.Add(Request(
                    first.AddSeconds((i * 10) + number),
                    route: i % 3 == 0 ? "/a" : "/b/{id}",
                    status: status,
                    milliseconds: 1 + ((i * 7 * (number + 1)) % 400),
                    exceptionType: status == 500 ? "System.InvalidOperationException" : null,
                    requestBytes: i,
                    responseBytes: 10 * i) with
            {
                Kind = i % 11 == 0 ? RequestKind.WebSocket : RequestKind.Http,
                UserId = $"user-{(i + (number * 40)) % 70}",
                ClientIp = $"10.0.{number}.{i % 50}",
                Consumer = i % 4 == 0 ? $"consumer-{i % 3}" : null,
                Release = i < 30 ? "1.0" : "1.1", // a deployment 5 minutes in: the first hour and day have both
            });
        }

        return Batch(requests);
    }

    /// <summary>
    /// Asserts that a read with <see cref="RollupQuery.BucketTotals"/> (sketches and cardinality included) returns,
    /// per bucket, kind and status class, the sums and merged sketches of the ordinary rows of that bucket, kind and class.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="granularity">The granularity to read.</param>
    /// <param name="from">The inclusive lower bound of the bucket starts.</param>
    /// <param name="to">The exclusive upper bound of the bucket starts.</param>
    /// <param name="kind">The kind to filter on, or <see langword="null"/>.</param>
    /// <returns>The number of totals compared.</returns>
    public static async Task<int> AssertEqualToRollupsAsync(
        IAnalyticsStore store, Granularity granularity, DateTimeOffset from, DateTimeOffset to, RequestKind? kind = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var read = RollupRange(granularity, from, to, includeSketches: true) with { IncludeCardinality = true, Kind = kind };
        return await AssertSameSumsAsync(
            store.ReadRequestRollupsAsync(read, default),
            store.ReadRequestRollupsAsync(read with { BucketTotals = true }, default),
            static row => new TotalKey(row.BucketStart, row.Kind, row.StatusCode / 100, null, null));
    }

    /// <summary>
    /// Asserts that a read with <see cref="RollupQuery.BucketTotalsByRelease"/> (sketches and cardinality included)
    /// returns, per bucket, kind and release, the sums and merged sketches of the ordinary rows of that bucket, kind and
    /// release.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="read">The granularity, range and filters to read; <see cref="RollupQuery.BucketTotalsByRelease"/> is set here.</param>
    /// <returns>The number of totals compared.</returns>
    public static async Task<int> AssertReleaseTotalsEqualToRollupsAsync(IAnalyticsStore store, RollupQuery read)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(read);
        read = read with { IncludeSketches = true, IncludeCardinality = true, BucketTotals = false, BucketTotalsByRelease = false };
        return await AssertSameSumsAsync(
            store.ReadRequestRollupsAsync(read, default),
            store.ReadRequestRollupsAsync(read with { BucketTotalsByRelease = true }, default),
            static row => new TotalKey(row.BucketStart, row.Kind, 0, null, row.Release));
    }

    /// <summary>
    /// Asserts that a per-consumer read with <see cref="RollupQuery.BucketTotals"/> (sketches included) returns, per
    /// bucket, kind and consumer, the sums and merged latency sketch of the ordinary per-consumer rows of that bucket,
    /// kind and consumer.
    /// </summary>
    /// <param name="store">The store's per-consumer rollups.</param>
    /// <param name="read">The granularity, range and filters to read; <see cref="RollupQuery.BucketTotals"/> is set here.</param>
    /// <returns>The number of totals compared.</returns>
    public static async Task<int> AssertConsumerTotalsEqualToRollupsAsync(IConsumerRollupStore store, RollupQuery read)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(read);
        read = read with { IncludeSketches = true, BucketTotals = false };
        return await AssertSameSumsAsync(
            store.ReadConsumerRollupsAsync(read, default),
            store.ReadConsumerRollupsAsync(read with { BucketTotals = true }, default),
            static row => new TotalKey(row.BucketStart, row.Kind, 0, row.Consumer, null));
    }

    private static async Task<int> AssertSameSumsAsync(
        IAsyncEnumerable<RequestRollup> rows, IAsyncEnumerable<RequestRollup> totals, Func<RequestRollup, TotalKey> keyOf)
    {
        var expected = await SumAsync(rows, keyOf);
        var actual = await SumAsync(totals, keyOf);
        Assert.Equal(Sorted(expected.Keys), Sorted(actual.Keys));
        foreach (var (key, want) in expected)
        {
            var got = actual[key];
            Assert.Equal(
                (want.Count, want.Errors, want.DurationSumMicroseconds, want.DurationMinMicroseconds, want.DurationMaxMicroseconds),
                (got.Count, got.Errors, got.DurationSumMicroseconds, got.DurationMinMicroseconds, got.DurationMaxMicroseconds));
            Assert.Equal((want.RequestBytes, want.ResponseBytes), (got.RequestBytes, got.ResponseBytes));
            Assert.Equal(Latency(want.Latency), Latency(got.Latency));
            Assert.Equal(
                (want.Users?.Estimate(), want.Clients?.Estimate(), want.Consumers?.Estimate()),
                (got.Users?.Estimate(), got.Clients?.Estimate(), got.Consumers?.Estimate()));
        }

        return expected.Count;
    }

    private static IEnumerable<string> Sorted(IEnumerable<TotalKey> keys) => keys.Select(k => k.ToString()).Order(StringComparer.Ordinal);

    private static (long, double, double, double, double, double) Latency(LatencySketch? sketch) => sketch is null
        ? default
        : (sketch.Count, sketch.Min, sketch.Max, sketch.GetQuantile(0.5), sketch.GetQuantile(0.95), sketch.GetQuantile(0.99));

    private static async Task<Dictionary<TotalKey, RequestRollup>> SumAsync(IAsyncEnumerable<RequestRollup> rows, Func<RequestRollup, TotalKey> keyOf)
    {
        var sums = new Dictionary<TotalKey, RequestRollup>();
        await foreach (var row in rows)
        {
            var key = keyOf(row);
            if (!sums.TryGetValue(key, out var sum))
            {
                sums.Add(key, sum = new RequestRollup
                {
                    Granularity = row.Granularity, BucketStart = row.BucketStart, Route = "", Method = "", StatusCode = key.StatusClass * 100,
                    Kind = row.Kind, Consumer = key.Consumer, Release = key.Release,
                });
            }

            sum.Add(row);
        }

        return sums;
    }

    // What a total sums over: the bucket, the kind, and the status class (request totals), the consumer (consumer
    // totals) or the release (totals by release).
    private readonly record struct TotalKey(DateTimeOffset Bucket, RequestKind Kind, int StatusClass, string? Consumer, string? Release);
}
