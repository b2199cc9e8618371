using Analytics.Storage;
using Analytics.Testing.Conformance;

namespace Analytics.PostgreSql.Tests;

/// <summary>The shared store conformance suite, unchanged, against a real PostgreSQL server: one fresh schema per test.</summary>
public sealed class PostgreSqlStoreConformanceTests : AnalyticsStoreConformanceTests
{
    private readonly string _schema = PostgresDatabase.NewSchema();

    protected override Task<IAnalyticsStore> CreateStoreAsync() => Task.FromResult<IAnalyticsStore>(PostgresDatabase.CreateStore(_schema));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await PostgresDatabase.DropSchemaAsync(_schema);
    }
}
