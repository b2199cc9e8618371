using System.Diagnostics;
using Analytics.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Recording;

/// <summary>
/// A client that sends a new consumer id with every request (issue 24: "a consumer header flood of 100 000 distinct
/// ids"): every request is still counted, each rollup bucket names at most <see cref="RequestAnalyticsOptions.MaxConsumersPerBucket"/>
/// consumers and counts the rest as <c>(other)</c>, and the process keeps no more than a few buckets of names. The
/// live heap is the whole test process's, so this runs alone.
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
public class ConsumerFloodTests(ITestOutputHelper output)
{
    private const string Header = "X-Client-Id";
    private const int Cap = 1_000;
    private const int Flood = 100_000;
    private const int Warmup = 3_000;
    private const int Senders = 16;

    // Every id is 100 characters (the most kept), so a process that held every name of the flood at its three
    // granularities would hold 300 000 strings of 200+ bytes, 60 MB and more. The admission holds 4 buckets of at most
    // 1 000 names per granularity: 12 000 strings, about 3 MB with their sets.
    private const long MaxHeapGrowth = 16 * 1024 * 1024;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AHundredThousandDistinctConsumersAreAllCountedWithTheRestAsOtherAndTheHeapStaysFlat()
    {
        // The test host collects every log record from Debug up, Kestrel's and hosting's few per request among them:
        // 100 000 requests' worth would be most of the heap measured. Warnings only (the library's overflow warning
        // among them).
        await using var host = await EndpointTestApp.StartAsync(
            o =>
            {
                o.ConsumerHeader = Header;
                o.MaxConsumersPerBucket = Cap;
            },
            configureBuilder: builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        var start = DateTimeOffset.UtcNow;

        // The warm-up overflows the cap too, so that the admission's sets and the writer's buffers are at their working
        // size in the baseline.
        await SendAsync(host.Client, 0, Warmup);
        await host.Pipeline.FlushAsync(CancellationToken.None);
        var baseline = (Heap: LiveHeap(), Rss: Rss());

        await SendAsync(host.Client, Warmup, Warmup + Flood);
        var peakRss = Rss();
        await host.Pipeline.FlushAsync(CancellationToken.None);
        var after = (Heap: LiveHeap(), Rss: Rss());
        output.WriteLine(
            $"{Flood} distinct consumers: live heap {Mb(baseline.Heap)} → {Mb(after.Heap)} MB; "
            + $"RSS {Mb(baseline.Rss)} → {Mb(peakRss)} MB at the end of the flood, {Mb(after.Rss)} MB flushed");

        var consumers = host.App.Services.GetRequiredService<StoreCapabilities>().Consumers;
        Assert.NotNull(consumers);
        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var rows = await consumers.ReadConsumerRollupsAsync(
                new RollupQuery { Granularity = granularity, From = granularity.Floor(start), To = DateTimeOffset.UtcNow.AddDays(1) },
                CancellationToken.None).ToListAsync();
            var buckets = rows.GroupBy(r => r.BucketStart).ToList();

            // Every request counted once at every granularity, whoever it named.
            Assert.Equal(Warmup + Flood, rows.Sum(r => r.Count));
            foreach (var bucket in buckets)
            {
                // Every id is new, so a bucket names exactly its first Cap consumers and counts the rest as (other).
                long total = bucket.Sum(r => r.Count);
                var named = bucket.Where(r => r.Consumer != "(other)").Select(r => r.Consumer).Distinct().Count();
                Assert.Equal(Math.Min(Cap, total), named);
                Assert.Equal(total - named, bucket.Where(r => r.Consumer == "(other)").Sum(r => r.Count));
            }

            output.WriteLine(
                $"{granularity}: {buckets.Count} bucket(s), {rows.Where(r => r.Consumer != "(other)").Sum(r => r.Count)} requests named, "
                + $"{rows.Where(r => r.Consumer == "(other)").Sum(r => r.Count)} as (other)");
        }

        Assert.InRange(after.Heap - baseline.Heap, long.MinValue, MaxHeapGrowth);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "ConsumersOverflowed");
    }

    private static async Task SendAsync(HttpClient client, int from, int to)
    {
        int next = from - 1;
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < to)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/items/{i % 100}");
                request.Headers.Add(Header, $"flood-{i:D6}-".PadRight(100, 'x'));
                using var response = await client.SendAsync(request).WaitAsync(Deadline);
                response.EnsureSuccessStatusCode();
            }
        }));
    }

    private static long LiveHeap() => GC.GetTotalMemory(forceFullCollection: true);

    private static long Rss()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static long Mb(long bytes) => bytes / (1024 * 1024);
}
