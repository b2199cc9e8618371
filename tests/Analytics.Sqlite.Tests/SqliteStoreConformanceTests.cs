using Analytics.Storage;
using Analytics.Storage.Testing;
using Analytics.Testing;

namespace Analytics.Sqlite.Tests;

/// <summary>Makes each conformance test a real SQLite file in a temporary folder of its own.</summary>
public sealed class SqliteStoreFactory : IConformanceStoreFactory
{
    private readonly TempDirectory _directory = new();

    public Task<IAnalyticsStore> CreateStoreAsync() =>
        Task.FromResult<IAnalyticsStore>(new SqliteAnalyticsStore(_directory.File("analytics.db")));

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The store conformance suite against SQLite, with the suite of every capability the store declares.
/// </summary>
public sealed class SqliteStoreConformanceTests : AnalyticsStoreConformanceTests<SqliteStoreFactory>;

public sealed class SqliteErrorStoreConformanceTests : ErrorStoreConformanceTests<SqliteStoreFactory>;

public sealed class SqliteAlertStoreConformanceTests : AlertStoreConformanceTests<SqliteStoreFactory>;

public sealed class SqliteWebhookStoreConformanceTests : WebhookStoreConformanceTests<SqliteStoreFactory>;

public sealed class SqliteHealthMetricsStoreConformanceTests : HealthMetricsStoreConformanceTests<SqliteStoreFactory>;

public sealed class SqliteRequestCountStoreConformanceTests : RequestCountStoreConformanceTests<SqliteStoreFactory>;

public sealed class SqliteConsumerStoreConformanceTests : ConsumerStoreConformanceTests<SqliteStoreFactory>;

public sealed class SqliteUptimeStoreConformanceTests : UptimeStoreConformanceTests<SqliteStoreFactory>;

public sealed class SqliteRawAheadStoreConformanceTests : RawAheadStoreConformanceTests<SqliteStoreFactory>;
