using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The suite of <see cref="StoreCapabilities.HealthMetrics"/> (<see cref="IHealthMetricsStore"/>): process-health
/// rollups added up by key, and purged with the other rollups. Derive a public class from it, for the same factory as
/// <see cref="AnalyticsStoreConformanceTests{TFactory}"/>, when the store declares the capability.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
public abstract class HealthMetricsStoreConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    private IHealthMetricsStore Health => Declared(static c => c.HealthMetrics, nameof(StoreCapabilities.HealthMetrics));

    /// <summary>
    /// Health samples add up per bucket, instance and metric, read by instance, and are purged with the other rollups.
    /// </summary>
    [Fact]
    public async Task HealthSamplesAddUpPerBucketInstanceAndMetricAndArePurgedWithRollups()
    {
        var health = Health;
        HealthRollup Row(DateTimeOffset at, string instance, double value) => new()
        {
            Granularity = Granularity.Minute, BucketStart = at, Instance = instance, Metric = HealthMetricNames.CpuPercent,
            Count = 1, Sum = value, Min = value, Max = value,
        };

        await health.AddHealthRollupsAsync([Row(Start, "web-1", 10), Row(Start, "web-2", 50)], default);
        await health.AddHealthRollupsAsync([Row(Start, "web-1", 30), Row(Start.AddMinutes(1), "web-1", 5)], default);

        var all = await health.ReadHealthRollupsAsync(Granularity.Minute, Start, Start.AddMinutes(1), null, default);
        var web1 = Assert.Single(await health.ReadHealthRollupsAsync(Granularity.Minute, Start, Start.AddMinutes(1), "web-1", default));

        Assert.Equal(2, all.Count);
        Assert.Equal((2L, 40.0, 10.0, 30.0), (web1.Count, web1.Sum, web1.Min, web1.Max));
        Assert.Empty(await health.ReadHealthRollupsAsync(Granularity.Hour, Start, Start.AddDays(1), null, default));

        Assert.Equal(2, await Store.PurgeRollupsAsync(Granularity.Minute, Start.AddMinutes(1), 100, default));
        Assert.Single(await health.ReadHealthRollupsAsync(Granularity.Minute, Start, Start.AddDays(1), null, default));
    }
}
