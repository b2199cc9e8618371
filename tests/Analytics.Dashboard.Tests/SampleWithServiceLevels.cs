namespace Analytics.Dashboard.Tests;

/// <summary>
/// The sample with its health checks reported every second and its flapping check down for 3 reports in every 6, so
/// that an uptime incident opens (at the default threshold of 2) about 4 seconds after the start and closes 3 later; the
/// objectives are the ones its appsettings.json declares. One process, shared by the access panel's tests and the
/// service-level panels' (the sample takes seconds to start on two cores).
/// </summary>
public sealed class SampleWithServiceLevels : SampleWithBrowser
{
    public const string Collection = "Sample with service levels";

    protected override IEnumerable<string> Arguments =>
    [
        "--Sample:HealthCheckPeriod", "00:00:01",
        "--Sample:FlappingCheckCycle", "6",
    ];
}

/// <summary>The test classes that share <see cref="SampleWithServiceLevels"/>: they run one after the other.</summary>
[CollectionDefinition(SampleWithServiceLevels.Collection)]
public sealed class SampleWithServiceLevelsCollection : ICollectionFixture<SampleWithServiceLevels>;
