using Analytics.Storage;
using Analytics.Storage.Testing;
using Analytics.Testing;
using Xunit.Sdk;

namespace Analytics.Tests.Storage;

/// <summary>
/// Makes each conformance test a new <see cref="FakeStore"/> with every capability that has a suite switched on.
/// </summary>
public sealed class FakeStoreFactory : IConformanceStoreFactory
{
    public Task<IAnalyticsStore> CreateStoreAsync() =>
        Task.FromResult<IAnalyticsStore>(new FakeStore(allCapabilities: true));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// The whole conformance kit against the in-memory <see cref="FakeStore"/>, so that the fake the pipeline and query
/// tests run on behaves as the real stores do.
/// </summary>
public sealed class FakeStoreConformanceTests : AnalyticsStoreConformanceTests<FakeStoreFactory>;

public sealed class FakeErrorStoreConformanceTests : ErrorStoreConformanceTests<FakeStoreFactory>;

public sealed class FakeAlertStoreConformanceTests : AlertStoreConformanceTests<FakeStoreFactory>;

public sealed class FakeWebhookStoreConformanceTests : WebhookStoreConformanceTests<FakeStoreFactory>;

public sealed class FakeHealthMetricsStoreConformanceTests : HealthMetricsStoreConformanceTests<FakeStoreFactory>;

public sealed class FakeRequestCountStoreConformanceTests : RequestCountStoreConformanceTests<FakeStoreFactory>;

public sealed class FakeConsumerStoreConformanceTests : ConsumerStoreConformanceTests<FakeStoreFactory>;

public sealed class FakeUptimeStoreConformanceTests : UptimeStoreConformanceTests<FakeStoreFactory>;

public sealed class FakeRawAheadStoreConformanceTests : RawAheadStoreConformanceTests<FakeStoreFactory>;

/// <summary>The kit's check that a store runs the suite of every capability it declares, shown failing.</summary>
public sealed class ConformanceCapabilityCheckTests
{
    [Fact]
    public async Task ADeclaredCapabilityWhoseSuiteNoPublicClassDerivesFailsTheCheckNamingTheSuite()
    {
        // Private, so xUnit does not run it and the check does not count it: a store that declares every capability
        // and derives the core suite only.
        var suite = new DeclaresEveryCapabilityRunsNoSuite();
        await suite.InitializeAsync();
        try
        {
            var failure =
                Assert.ThrowsAny<XunitException>(suite.EveryDeclaredCapabilityRunsItsSuiteAndNoOtherSuiteRuns);

            Assert.Contains("ErrorStoreConformanceTests<LonelyFactory>", failure.Message);
            Assert.Contains("AlertStoreConformanceTests<LonelyFactory>", failure.Message);
            Assert.Contains("WebhookStoreConformanceTests<LonelyFactory>", failure.Message);
            Assert.Contains("HealthMetricsStoreConformanceTests<LonelyFactory>", failure.Message);
            Assert.Contains("RequestCountStoreConformanceTests<LonelyFactory>", failure.Message);
            Assert.Contains("ConsumerStoreConformanceTests<LonelyFactory>", failure.Message);
            Assert.Contains("UptimeStoreConformanceTests<LonelyFactory>", failure.Message);
        }
        finally
        {
            await suite.DisposeAsync();
        }
    }

    [Fact]
    public async Task AStoreThatDeclaresNoCapabilityNeedsNoCapabilitySuite()
    {
        var suite = new DeclaresNoCapability();
        await suite.InitializeAsync();
        try
        {
            suite.EveryDeclaredCapabilityRunsItsSuiteAndNoOtherSuiteRuns();
        }
        finally
        {
            await suite.DisposeAsync();
        }
    }

    private sealed class LonelyFactory : IConformanceStoreFactory
    {
        public Task<IAnalyticsStore> CreateStoreAsync() =>
            Task.FromResult<IAnalyticsStore>(new FakeStore(allCapabilities: true));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class DefaultFakeStoreFactory : IConformanceStoreFactory
    {
        public Task<IAnalyticsStore> CreateStoreAsync() => Task.FromResult<IAnalyticsStore>(new FakeStore());

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class DeclaresEveryCapabilityRunsNoSuite : AnalyticsStoreConformanceTests<LonelyFactory>;

    private sealed class DeclaresNoCapability : AnalyticsStoreConformanceTests<DefaultFakeStoreFactory>;
}
