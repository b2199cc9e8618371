using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Analytics.Sample;

/// <summary>
/// The sample's health checks, which the library's health-check publisher records for the dashboard's uptime panel: the
/// catalogue, always up, and the inventory service the flaky route depends on, which goes down for three reports in a
/// row once a cycle. Demo runs report every 5 seconds (the framework's default is 30), so a first run shows an incident
/// within about a minute.
/// </summary>
internal static class SampleHealthChecks
{
    /// <summary>The tag of the checks that only feed the demo's uptime panel: <c>/health</c> leaves them out.</summary>
    public const string DemoTag = "demo";

    private static readonly TimeSpan DemoPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Adds the checks, and the publisher's period: <c>Sample:HealthCheckPeriod</c> when set (at least 1 second, the
    /// framework's minimum), else 5 seconds in demo runs and the framework's default otherwise.
    /// </summary>
    public static IHealthChecksBuilder AddSampleChecks(this IHealthChecksBuilder health, IConfiguration configuration, bool demoRun)
    {
        health.AddCheck("catalogue", () => HealthCheckResult.Healthy("The catalogue answers."));
        var cycle = configuration.GetValue("Sample:FlappingCheckCycle", FlappingInventoryCheck.DefaultCycle);
        health.Services.AddSingleton(new FlappingInventoryCheck(cycle));
        health.AddCheck<FlappingInventoryCheck>("inventory-service", tags: [DemoTag]);

        var period = configuration.GetValue<TimeSpan?>("Sample:HealthCheckPeriod") ?? (demoRun ? DemoPeriod : null);
        if (period is { } every)
        {
            health.Services.Configure<HealthCheckPublisherOptions>(options =>
            {
                options.Delay = every;
                options.Period = every;
            });
        }

        return health;
    }
}

/// <summary>
/// A dependency that fails now and then, deterministically: of every <c>cycle</c> reports, those from the middle one on
/// are unhealthy three in a row, enough to open an uptime incident at the default threshold of 2, and the rest healthy.
/// Counted per call, so it must only be run by the publisher (<c>/health</c> skips it by its tag).
/// </summary>
internal sealed class FlappingInventoryCheck(int cycle) : IHealthCheck
{
    /// <summary>Two minutes at the demo's 5-second period: down from about a minute into each.</summary>
    public const int DefaultCycle = 24;

    private const int DownReports = 3;

    // At least as many up reports as down ones, so the incident closes at the default threshold before the next opens.
    private readonly int _cycle = Math.Max(cycle, 2 * DownReports);
    private long _reports = -1;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long report = Interlocked.Increment(ref _reports) % _cycle;
        long downFrom = _cycle / 2;
        return Task.FromResult(report >= downFrom && report < downFrom + DownReports
            ? HealthCheckResult.Unhealthy("The inventory service did not answer.")
            : HealthCheckResult.Healthy("The inventory service answers."));
    }
}
