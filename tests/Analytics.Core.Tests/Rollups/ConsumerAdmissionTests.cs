using System.Diagnostics.Metrics;
using Analytics.Pipeline;
using Analytics.Storage;
using Analytics.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Rollups;

public sealed class ConsumerAdmissionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Minute = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EachGranularityAdmitsTheLimitOfNamesAndCountsTheRestAsOther()
    {
        var admission = new ConsumerAdmission(2);

        Assert.Equal(new ConsumerNames("a", "a", "a"), admission.Admit("a", Minute));
        Assert.Equal(new ConsumerNames("b", "b", "b"), admission.Admit("b", Minute.AddMinutes(1)));
        Assert.Equal(new ConsumerNames("c", "(other)", "(other)"), admission.Admit("c", Minute.AddMinutes(1)));
        Assert.Equal(new ConsumerNames("(other)", "a", "a"), admission.Admit("a", Minute.AddMinutes(1)));
        Assert.False(admission.Admit("a", Minute).Overflowed);
        Assert.True(admission.Admit("c", Minute.AddMinutes(1)).Overflowed);
    }

    [Fact]
    public void OverflowsAreCountedPerGranularityAndWarnedOfOncePerInterval()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new AnalyticsMetrics(services.GetRequiredService<IMeterFactory>());
        using var overflow = new MetricCollector<long>(metrics.Meter, "analytics.consumers.overflow");
        var logger = new FakeLogger<ConsumerOverflowReporter>();
        var clock = new FakeTimeProvider(Minute);
        var admission = new ConsumerAdmission(1, new ConsumerOverflowReporter(metrics, logger, clock));

        admission.Admit("a", Minute);
        Assert.Equal(0, overflow.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(0, logger.Collector.Count);

        admission.Admit("b", Minute); // beyond the limit of the minute, its hour and its day
        admission.Admit("b", Minute); // the same request again: counted again, not warned of again
        var measurements = overflow.GetMeasurementSnapshot();
        Assert.Equal(6, measurements.EvaluateAsCounter());
        Assert.Equal(2, measurements.Count(m => Equals(m.Tags[TelemetryAttributes.RollupGranularity], "minute")));
        var warning = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal("ConsumersOverflowed", warning.Id.Name);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);

        // The next minute overflows within the interval: counted, told of with the next warning.
        admission.Admit("c", Minute.AddMinutes(1));
        admission.Admit("d", Minute.AddMinutes(1));
        Assert.Equal(1, logger.Collector.Count);

        clock.Advance(ConsumerOverflowReporter.WarningInterval);
        admission.Admit("e", Minute.AddMinutes(2));
        admission.Admit("f", Minute.AddMinutes(2));
        Assert.Equal(2, logger.Collector.Count);
        Assert.Contains("3 more buckets", logger.Collector.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheWriterAdmitsTheOptionsLimitAcrossItsBatchesAndCountsTheRestOnTheMeter()
    {
        await using var harness = new PipelineHarness(o => o.MaxConsumersPerBucket = 2);
        using var overflow = new MetricCollector<long>(harness.MeterFactory, AnalyticsMeter.Name, "analytics.consumers.overflow");
        await harness.StartAsync();

        // Two batches in one minute: the second batch's newcomers find the minute full.
        foreach (var names in new[] { new[] { "a", "b" }, ["c", "a", "d"] })
        {
            foreach (var name in names)
            {
                Assert.True(harness.Queue.TryEnqueue(PipelineHarness.Request(1) with { Consumer = name }));
            }

            await harness.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        }

        var minute = overflow.GetMeasurementSnapshot().Where(m => Equals(m.Tags[TelemetryAttributes.RollupGranularity], "minute"));
        Assert.Equal(2, minute.Sum(m => m.Value)); // c and d
        Assert.Contains(harness.Logs.GetSnapshot(), e => e.Id.Name == "ConsumersOverflowed");
        Assert.Equal(5, harness.Store.Requests.Count(r => r.Consumer is not null)); // raw rows keep every name
        var minuteStart = Granularity.Minute.Floor(PipelineHarness.Request(1).Timestamp);
        var rows = await ((IConsumerRollupStore)harness.Store)
            .ReadConsumerRollupsAsync(new RollupQuery { Granularity = Granularity.Minute, From = minuteStart, To = minuteStart.AddMinutes(1) }, default)
            .ToListAsync();
        Assert.Equal(
            [("(other)", 2L), ("a", 2L), ("b", 1L)],
            rows.OrderBy(r => r.Consumer, StringComparer.Ordinal).Select(r => (r.Consumer!, r.Count)));
    }
}
