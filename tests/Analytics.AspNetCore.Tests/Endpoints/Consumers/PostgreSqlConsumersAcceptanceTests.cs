using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Analytics.AspNetCore.Tests.Endpoints.Consumers;

/// <summary>
/// The acceptance test on PostgreSQL: the server <c>tests/postgres-server.sh</c> starts and names in
/// <c>ANALYTICS_POSTGRES</c> (as <c>./test.sh</c> does), in a schema of the test's own, dropped afterwards.
/// </summary>
public sealed class PostgreSqlConsumersAcceptanceTests : ConsumersAcceptanceTests, IAsyncLifetime
{
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N")[..20];

    private static string ConnectionString =>
        Environment.GetEnvironmentVariable("ANALYTICS_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ANALYTICS_POSTGRES is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL server " +
                "(tests/postgres-server.sh), or point the variable at a server you can create schemas on.");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await using var database = NpgsqlDataSource.Create(ConnectionString);
        await using var command = database.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE;");
        await command.ExecuteNonQueryAsync();
    }

    protected override void UseStore(WebApplicationBuilder builder) =>
        builder.Services.AddRequestAnalytics().UsePostgreSql(ConnectionString, _schema);
}
