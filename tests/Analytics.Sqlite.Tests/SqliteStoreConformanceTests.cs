using Analytics.Storage;
using Analytics.Testing;
using Analytics.Testing.Conformance;

namespace Analytics.Sqlite.Tests;

/// <summary>The shared store conformance suite, run against a real SQLite file in a temporary folder.</summary>
public sealed class SqliteStoreConformanceTests : AnalyticsStoreConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override Task<IAnalyticsStore> CreateStoreAsync() =>
        Task.FromResult<IAnalyticsStore>(new SqliteAnalyticsStore(_directory.File("analytics.db")));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}
