using Analytics.Health;
using Analytics.Storage;
using static Analytics.Testing.Conformance.TestData;

namespace Analytics.Testing.Conformance;

/// <summary>Process-health rollups (<see cref="IHealthMetricsStore"/>).</summary>
public abstract partial class AnalyticsStoreConformanceTests
{
    [Fact]
    public async Task HealthSamplesAddUpPerBucketInstanceAndMetricAndArePurgedWithRollups()
    {
        var health = Assert.IsAssignableFrom<IHealthMetricsStore>(Store);
        HealthRollup Row(DateTimeOffset at, string instance, double value) => new()
        {
            Granularity = Granularity.Minute, BucketStart = at, Instance = instance, Metric = HealthMetricNames.CpuPercent, Count = 1, Sum = value, Min = value, Max = value,
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
