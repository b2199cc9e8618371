using Microsoft.Extensions.Options;

namespace Analytics.Sample;

/// <summary>
/// Tracks, through <see cref="IAnalyticsTracker"/>, the custom events an app like this one records about itself: its
/// delivery pipeline's builds and deployments (with duration and outcome), sign-ups, and background job runs. Each kind
/// comes every few seconds to a minute, and the first of each within seconds of start, so the custom-events panel fills
/// on a first run. The second deployment of every run fails and is rolled back, which the <c>rollbacks</c> alert rule
/// of appsettings.json reports.
/// </summary>
internal sealed partial class DemoEventGenerator(
    IAnalyticsTracker tracker,
    IOptions<RequestAnalyticsOptions> options,
    TimeProvider time,
    ILogger<DemoEventGenerator> logger) : BackgroundService
{
    // The version deployments announce: the release this run records (RequestAnalytics:Release, demo-1.4.0 in
    // appsettings.json), so that a run as another release deploys that one.
    private readonly string _release = options.Value.Release ?? "unknown";

    private static readonly string[] Plans = ["free", "free", "free", "team", "team", "business"];
    private static readonly string[] SignupSources = ["organic", "ads", "referral", "partner"];
    private static readonly string[] Projects = ["catalogue-api", "web", "worker"];
    private static readonly string[] Branches = ["main", "main", "feature/search", "fix/checkout-timeout"];

    // Each job with its usual duration range in seconds and how often it fails: the reindex is slow and the flakiest.
    private static readonly (string Name, double MinSeconds, double MaxSeconds, double FailureRate)[] Jobs =
    [
        ("send-invoices", 2, 8, 0.03),
        ("reindex-search", 20, 90, 0.12),
        ("purge-sessions", 0.2, 1.5, 0.01),
        ("nightly-export", 60, 300, 0.05),
    ];

    private int _deployments;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var start = time.GetUtcNow();
        var nextSignup = start + TimeSpan.FromSeconds(1);
        var nextJob = start + TimeSpan.FromSeconds(2);
        var nextBuild = start + TimeSpan.FromSeconds(4);
        var nextDeployment = start + TimeSpan.FromSeconds(6);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = time.GetUtcNow();
            if (now >= nextSignup)
            {
                TrackSignup();
                nextSignup = now + Between(2, 6);
            }

            if (now >= nextJob)
            {
                TrackJob();
                nextJob = now + Between(3, 8);
            }

            if (now >= nextBuild)
            {
                TrackBuild();
                nextBuild = now + Between(10, 25);
            }

            if (now >= nextDeployment)
            {
                TrackDeployment();
                nextDeployment = now + Between(25, 50);
            }
        }
    }

    private void TrackSignup()
    {
        var random = Random.Shared;
        Track(new AnalyticsEvent("signup")
        {
            UserId = $"u{random.Next(501, 100_000)}",
            Properties = new Dictionary<string, object?>
            {
                ["plan"] = Plans[random.Next(Plans.Length)],
                ["source"] = SignupSources[random.Next(SignupSources.Length)],
            },
        });
    }

    private void TrackJob()
    {
        var random = Random.Shared;
        var job = Jobs[random.Next(Jobs.Length)];
        Track(new AnalyticsEvent("job.run")
        {
            Duration = TimeSpan.FromSeconds(job.MinSeconds + (random.NextDouble() * (job.MaxSeconds - job.MinSeconds))),
            Success = random.NextDouble() >= job.FailureRate,
            Properties = new Dictionary<string, object?> { ["job"] = job.Name },
        });
    }

    private void TrackBuild()
    {
        var random = Random.Shared;
        Track(new AnalyticsEvent("build")
        {
            Duration = Between(45, 240),
            Success = random.Next(10) != 0,
            Properties = new Dictionary<string, object?>
            {
                ["project"] = Projects[random.Next(Projects.Length)],
                ["branch"] = Branches[random.Next(Branches.Length)],
                ["commit"] = random.Next(0x1000000, 0xfffffff).ToString("x7", System.Globalization.CultureInfo.InvariantCulture),
            },
        });
    }

    private void TrackDeployment()
    {
        var random = Random.Shared;
        var number = ++_deployments;
        var environment = number % 3 == 0 ? "production" : "staging";
        var succeeded = number != 2 && random.Next(100) >= 15;
        Track(new AnalyticsEvent("deployment")
        {
            Duration = Between(30, 150),
            Success = succeeded,
            Properties = new Dictionary<string, object?>
            {
                ["service"] = "catalogue-api",
                ["version"] = _release,
                ["environment"] = environment,
                ["number"] = number,
            },
        });

        if (!succeeded)
        {
            Track(new AnalyticsEvent("deployment.rollback")
            {
                Duration = Between(10, 40),
                Success = true,
                Properties = new Dictionary<string, object?>
                {
                    ["service"] = "catalogue-api",
                    ["version"] = _release,
                    ["environment"] = environment,
                    ["reason"] = "health check failed after deploy",
                },
            });
        }
    }

    private void Track(AnalyticsEvent analyticsEvent)
    {
        if (!tracker.Track(analyticsEvent))
        {
            LogEventDropped(logger, analyticsEvent.Name);
        }
    }

    private static TimeSpan Between(double minSeconds, double maxSeconds) =>
        TimeSpan.FromSeconds(minSeconds + (Random.Shared.NextDouble() * (maxSeconds - minSeconds)));

    [LoggerMessage(Level = LogLevel.Debug, Message = "The demo event '{Name}' was dropped: the analytics queue is full")]
    private static partial void LogEventDropped(ILogger logger, string name);
}
