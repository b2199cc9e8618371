namespace Analytics.Dashboard.Tests;

/// <summary>
/// The sample with its health checks reported every second and its flapping check down for 3 reports in every 6, so
/// that an uptime incident opens (at the default threshold of 2) about 4 seconds after the start and closes 3 later; the
/// objectives are the ones its appsettings.json declares. One process, shared by the access panel's tests and the
/// service-level panels' (the sample takes seconds to start on two cores).
/// </summary>
/// <remarks>
/// Objectives count whole minutes (their windows end at the current minute's start, as alert rules measure), so the
/// traffic they are checked against is sent as soon as the sample is up: the next minute boundary passes while the
/// collection's other tests run, not while the objectives' test waits.
/// </remarks>
public sealed class SampleWithServiceLevels : SampleWithBrowser
{
    public const string Collection = "Sample with service levels";

    /// <summary>The order lookups sent at the start: good for both objectives.</summary>
    public const int OrderLookups = 20;

    /// <summary>The flaky route's failures sent at the start: bad for the availability objective.</summary>
    public const int Failures = 2;

    protected override IEnumerable<string> Arguments =>
    [
        "--Sample:HealthCheckPeriod", "00:00:01",
        "--Sample:FlappingCheckCycle", "6",
    ];

    protected override async Task StartedAsync()
    {
        for (var i = 1; i <= OrderLookups; i++)
        {
            (await Client.GetAsync($"{Origin}/users/slo-test/orders/{i}")).Dispose();
        }

        // The flaky route fails one call in five, at random: called until it has failed twice.
        var failed = 0;
        for (var i = 0; i < 200 && failed < Failures; i++)
        {
            using var response = await Client.GetAsync($"{Origin}/flaky");
            failed += (int)response.StatusCode >= 500 ? 1 : 0;
        }

        Assert.Equal(Failures, failed);
    }
}

/// <summary>The test classes that share <see cref="SampleWithServiceLevels"/>: they run one after the other.</summary>
[CollectionDefinition(SampleWithServiceLevels.Collection)]
public sealed class SampleWithServiceLevelsCollection : ICollectionFixture<SampleWithServiceLevels>;
