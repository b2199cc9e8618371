using static Analytics.Storage.Testing.StoreTestData;

namespace Analytics.Storage.Testing;

/// <summary>
/// The suite of <see cref="StoreCapabilities.Uptime"/> (<see cref="IUptimeStore"/>): health-check samples kept field for
/// field, read by range and instance oldest first, and purged with the hour rollups. Derive a public class from it, for
/// the same factory as <see cref="AnalyticsStoreConformanceTests{TFactory}"/>, when the store declares the capability.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
public abstract class UptimeStoreConformanceTests<TFactory> : StoreConformanceTestBase<TFactory>
    where TFactory : IConformanceStoreFactory, new()
{
    private IUptimeStore Uptime => Declared(static c => c.Uptime, nameof(StoreCapabilities.Uptime));

    /// <summary>
    /// Every field comes back as written: each status, a duration to the microsecond, a description of 500 characters
    /// with text beyond ASCII, and none.
    /// </summary>
    [Fact]
    public async Task EveryFieldOfEverySampleIsReadBackAsWritten()
    {
        var uptime = Uptime;
        HealthCheckSample[] samples =
        [
            Sample(Start.AddTicks(10), "web-1", "db", UptimeStatus.Healthy, "Connected in 3 ms")
                with { Duration = TimeSpan.FromTicks(12_345_670) },
            Sample(Start.AddSeconds(30), "web-1", "db", UptimeStatus.Degraded, "Slow: " + new string('é', 494)),
            Sample(Start.AddSeconds(60), "web-1", "db", UptimeStatus.Unhealthy, null) with { Duration = TimeSpan.Zero },
            Sample(Start.AddSeconds(60), "web-1", "cache ✓", UptimeStatus.Healthy, "ok 🙂"),
        ];

        await uptime.AddHealthCheckSamplesAsync(samples[..2], default);
        await uptime.AddHealthCheckSamplesAsync(samples[2..], default);
        var read = await uptime.ReadHealthCheckSamplesAsync(Start, Start.AddHours(1), null, default);

        Assert.Equal(500, samples[1].Description!.Length);
        static IEnumerable<HealthCheckSample> Ordered(IEnumerable<HealthCheckSample> samples) =>
            samples.OrderBy(s => s.Time).ThenBy(s => s.Check, StringComparer.Ordinal);
        Assert.Equal(Ordered(samples), Ordered(read));
    }

    /// <summary>
    /// A read takes the samples whose time is in [from, to) only, oldest first whatever order they were added in, of every
    /// instance or of the one asked for.
    /// </summary>
    [Fact]
    public async Task ReadsTakeTheRangeFromInclusiveToExclusiveOldestFirstAndFilterByInstance()
    {
        var uptime = Uptime;
        var times = new[] { 5, 0, 3, 1, 4, 2 }.Select(m => Start.AddMinutes(m)).ToArray();
        foreach (var (time, i) in times.Select((t, i) => (t, i)))
        {
            await uptime.AddHealthCheckSamplesAsync([Sample(time, i % 2 == 0 ? "web-1" : "web-2", "db", UptimeStatus.Healthy, null)], default);
        }

        var range = await uptime.ReadHealthCheckSamplesAsync(Start.AddMinutes(1), Start.AddMinutes(4), null, default);
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2), Start.AddMinutes(3)], range.Select(s => s.Time));

        var web1 = await uptime.ReadHealthCheckSamplesAsync(Start, Start.AddMinutes(10), "web-1", default);
        Assert.Equal([Start.AddMinutes(3), Start.AddMinutes(4), Start.AddMinutes(5)], web1.Select(s => s.Time));
        Assert.All(web1, s => Assert.Equal("web-1", s.Instance));

        Assert.Empty(await uptime.ReadHealthCheckSamplesAsync(Start, Start.AddMinutes(10), "web-3", default));
        Assert.Empty(await uptime.ReadHealthCheckSamplesAsync(Start.AddMinutes(6), Start.AddMinutes(10), null, default));
        Assert.Empty(await uptime.ReadHealthCheckSamplesAsync(Start.AddMinutes(3), Start.AddMinutes(3), null, default));
    }

    /// <summary>
    /// <see cref="IAnalyticsStore.PurgeRollupsAsync"/> of <see cref="Granularity.Hour"/> deletes samples older than the
    /// cutoff, in passes of at most the rows asked for; the minute and day purges leave them.
    /// </summary>
    [Fact]
    public async Task PurgingHourRollupsRemovesExpiredSamplesInBoundedPasses()
    {
        var uptime = Uptime;
        await uptime.AddHealthCheckSamplesAsync(
            [.. Enumerable.Range(0, 8).Select(i => Sample(Start.AddMinutes(i), "web-1", "db", UptimeStatus.Healthy, null))], default);

        var cutoff = Start.AddMinutes(5);
        Assert.Equal(0, await Store.PurgeRollupsAsync(Granularity.Minute, Start.AddDays(1), 100, default));
        Assert.Equal(0, await Store.PurgeRollupsAsync(Granularity.Day, Start.AddDays(1), 100, default));
        Assert.Equal(8, (await uptime.ReadHealthCheckSamplesAsync(Start, Start.AddDays(1), null, default)).Count);

        Assert.Equal(3, await Store.PurgeRollupsAsync(Granularity.Hour, cutoff, 3, default));
        Assert.Equal(2, await Store.PurgeRollupsAsync(Granularity.Hour, cutoff, 3, default));
        Assert.Equal(0, await Store.PurgeRollupsAsync(Granularity.Hour, cutoff, 3, default));
        var left = await uptime.ReadHealthCheckSamplesAsync(Start, Start.AddDays(1), null, default);
        Assert.Equal([Start.AddMinutes(5), Start.AddMinutes(6), Start.AddMinutes(7)], left.Select(s => s.Time));
    }

    private static HealthCheckSample Sample(DateTimeOffset time, string instance, string check, UptimeStatus status, string? description) =>
        new()
        {
            Time = time, Instance = instance, Check = check, Status = status, Duration = TimeSpan.FromMilliseconds(2.5),
            Description = description,
        };
}
