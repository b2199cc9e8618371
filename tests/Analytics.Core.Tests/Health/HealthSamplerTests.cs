using System.Collections.Concurrent;
using Analytics.Health;
using Analytics.Storage;
using Analytics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Health;

public sealed class HealthSamplerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 59, 58, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public void ASampleHoldsPlausibleValuesFromTheRuntime()
    {
        var sampler = Create(new HealthStore(), new FakeTimeProvider(Start));
        var work = new byte[1 << 20];
        Array.Fill(work, (byte)1); // touch some memory and spend some CPU

        var sample = sampler.Sample().ToDictionary(s => s.Metric, s => s.Value);

        Assert.Equal(HealthMetricNames.All.Order(), sample.Keys.Order());
        Assert.InRange(sample[HealthMetricNames.CpuPercent], 0, 100.0 * Environment.ProcessorCount);
        Assert.True(sample[HealthMetricNames.WorkingSetBytes] > 1 << 20, $"working set {sample[HealthMetricNames.WorkingSetBytes]}");
        Assert.True(sample[HealthMetricNames.GcHeapBytes] > 0);
        Assert.True(sample[HealthMetricNames.GcCollections] >= 0);
        Assert.True(sample[HealthMetricNames.ThreadPoolQueueLength] >= 0);
        Assert.True(sample[HealthMetricNames.ThreadPoolThreads] >= 1);
        GC.KeepAlive(work);
    }

    [Fact]
    public void CollectionsAreCountedSinceThePreviousSample()
    {
        var sampler = Create(new HealthStore(), new FakeTimeProvider(Start));
        sampler.Sample();
        GC.Collect();
        GC.Collect();

        var collections = sampler.Sample().Single(s => s.Metric == HealthMetricNames.GcCollections).Value;

        Assert.InRange(collections, 2, 1_000);
    }

    [Fact]
    public void OneSampleIsARowPerMetricAtEveryGranularityInItsBuckets()
    {
        var sampler = Create(new HealthStore(), new FakeTimeProvider(Start));

        var rows = sampler.Rollups([(HealthMetricNames.CpuPercent, 12.5), (HealthMetricNames.ThreadPoolThreads, 4)], Start);

        Assert.Equal(6, rows.Count);
        Assert.Contains(rows, r => r.Granularity == Granularity.Minute && r.BucketStart == new DateTimeOffset(2026, 11, 22, 10, 59, 0, TimeSpan.Zero) && r.Metric == HealthMetricNames.CpuPercent && r.Sum == 12.5);
        Assert.Contains(rows, r => r.Granularity == Granularity.Hour && r.BucketStart == new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
        Assert.Contains(rows, r => r.Granularity == Granularity.Day && r.BucketStart == new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        Assert.All(rows, r => Assert.Equal((1L, "web-1"), (r.Count, r.Instance)));
    }

    [Fact]
    public async Task TheFirstSampleIsTakenAtStartAndOnePerIntervalAfter()
    {
        var store = new HealthStore();
        var time = new FakeTimeProvider(Start);
        using var sampler = Create(store, time);

        await sampler.StartAsync(default);
        await Wait.UntilAsync(() => store.Samples == 1, Deadline, "the first sample is taken at start, before any interval passes");

        time.Advance(TimeSpan.FromSeconds(5));
        await Wait.UntilAsync(() => store.Samples == 2, Deadline, "a second sample after one interval");
        time.Advance(TimeSpan.FromSeconds(5));
        await Wait.UntilAsync(() => store.Samples == 3, Deadline, "a third after two");
        await sampler.StopAsync(default);
    }

    [Fact]
    public async Task AFailingStoreCostsASampleNotTheSampler()
    {
        var store = new HealthStore { Fail = true };
        var time = new FakeTimeProvider(Start);
        using var sampler = Create(store, time);

        await sampler.StartAsync(default);
        await Wait.UntilAsync(() => store.Attempts == 1, Deadline, "the first sample was tried");
        store.Fail = false;
        time.Advance(TimeSpan.FromSeconds(5));

        await Wait.UntilAsync(() => store.Samples == 1, Deadline, "the next sample is stored");
        await sampler.StopAsync(default);
    }

    private static HealthSampler Create(HealthStore store, TimeProvider time) =>
        new(new StoreCapabilities { HealthMetrics = store }, Options.Create(new RequestAnalyticsOptions { HealthInterval = TimeSpan.FromSeconds(5) }), new HostIdentity("Testing", "web-1"), time, NullLogger<HealthSampler>.Instance);

    /// <summary>A store that keeps health rows only.</summary>
    private sealed class HealthStore : FakeStore, IHealthMetricsStore
    {
        private readonly ConcurrentQueue<HealthRollup> _rows = new();
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public int Samples => _rows.Count(r => r.Granularity == Granularity.Minute && r.Metric == HealthMetricNames.CpuPercent);

        public Task AddHealthRollupsAsync(IReadOnlyList<HealthRollup> rollups, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            if (Fail)
            {
                throw new IOException("The fake store is failing.");
            }

            foreach (var row in rollups)
            {
                _rows.Enqueue(row);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<HealthRollup>> ReadHealthRollupsAsync(Granularity granularity, DateTimeOffset from, DateTimeOffset to, string? instance, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<HealthRollup>>([.. _rows.Where(r => r.Granularity == granularity && r.BucketStart >= from && r.BucketStart < to)]);
    }
}
