using Npgsql;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL server the tests run against: the throwaway cluster <c>test.sh</c> starts (through
/// <c>tests/postgres-server.sh</c>) and names in <c>ANALYTICS_POSTGRES</c>. Each test takes a schema of its own, so
/// tests stay independent on one server. Without the variable every test here fails, saying how to get one.
/// </summary>
internal static class PostgresDatabase
{
    private static readonly Lazy<NpgsqlDataSource> Admin = new(() => NpgsqlDataSource.Create(ConnectionString));

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ANALYTICS_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ANALYTICS_POSTGRES is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL server " +
                "(tests/postgres-server.sh), or point the variable at a server you can create schemas on.");

    /// <summary>Returns a new schema name, unique to the caller.</summary>
    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..20];

    public static PostgreSqlAnalyticsStore CreateStore(string schema) =>
        new(NpgsqlDataSource.Create(ConnectionString), ownsDataSource: true, schema);

    /// <summary>
    /// Creates a database of its own for the caller and returns its connection string: a test of the default schema
    /// name (<c>analytics</c>) must not write into one a developer's server may already have.
    /// </summary>
    public static async Task<(string Name, string ConnectionString)> CreateDatabaseAsync()
    {
        var name = NewSchema();
        await using (var command = Admin.Value.CreateCommand($"CREATE DATABASE \"{name}\";"))
        {
            await command.ExecuteNonQueryAsync();
        }

        return (name, new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString);
    }

    public static async Task DropDatabaseAsync(string name)
    {
        await using var command = Admin.Value.CreateCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE);");
        await command.ExecuteNonQueryAsync();
    }

    public static async Task DropSchemaAsync(string schema)
    {
        await using var command = Admin.Value.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;");
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var command = Admin.Value.CreateCommand(sql);
        return (T?)await command.ExecuteScalarAsync();
    }
}
