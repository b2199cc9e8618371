using Analytics.Storage;
using Analytics.Storage.Testing;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// Gives each conformance test a fresh schema of its own on the real PostgreSQL server, dropped after it.
/// </summary>
public sealed class PostgreSqlStoreFactory : IConformanceStoreFactory
{
    private readonly string _schema = PostgresDatabase.NewSchema();

    public Task<IAnalyticsStore> CreateStoreAsync() =>
        Task.FromResult<IAnalyticsStore>(PostgresDatabase.CreateStore(_schema));

    public async ValueTask DisposeAsync() => await PostgresDatabase.DropSchemaAsync(_schema);
}

/// <summary>
/// The store conformance suite, unchanged, against PostgreSQL, with the suite of every capability the store declares
/// (leadership has none: <see cref="PostgreSqlStoreTests"/> checks it).
/// </summary>
public sealed class PostgreSqlStoreConformanceTests : AnalyticsStoreConformanceTests<PostgreSqlStoreFactory>;

public sealed class PostgreSqlErrorStoreConformanceTests : ErrorStoreConformanceTests<PostgreSqlStoreFactory>;

public sealed class PostgreSqlAlertStoreConformanceTests : AlertStoreConformanceTests<PostgreSqlStoreFactory>;

public sealed class PostgreSqlWebhookStoreConformanceTests : WebhookStoreConformanceTests<PostgreSqlStoreFactory>;

public sealed class PostgreSqlHealthMetricsStoreConformanceTests
    : HealthMetricsStoreConformanceTests<PostgreSqlStoreFactory>;

public sealed class PostgreSqlRequestCountStoreConformanceTests
    : RequestCountStoreConformanceTests<PostgreSqlStoreFactory>;

/// <summary>A retry of a batch whose commit reached the server but whose acknowledgement was lost counts nothing twice.</summary>
public sealed class PostgreSqlRetriedBatchConformanceTests : RetriedBatchConformanceTests<PostgreSqlStoreFactory>;

/// <summary>Per-consumer rollups (<see cref="IConsumerRollupStore"/>) in their own table.</summary>
public sealed class PostgreSqlConsumerStoreConformanceTests : ConsumerStoreConformanceTests<PostgreSqlStoreFactory>;

/// <summary>Health-check samples (<see cref="IUptimeStore"/>), written by every instance into one table.</summary>
public sealed class PostgreSqlUptimeStoreConformanceTests : UptimeStoreConformanceTests<PostgreSqlStoreFactory>;
