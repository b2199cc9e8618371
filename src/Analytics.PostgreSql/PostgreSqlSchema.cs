using System.Globalization;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>
/// Forward-only migrations: embedded scripts named <c>NNN_description.sql</c>, applied in order in one transaction that
/// first takes an advisory lock, so that instances starting together migrate once, one after the other. The version
/// reached is a row of <c>schema_version</c> in the store's schema.
/// </summary>
internal static class PostgreSqlSchema
{
    private const string ResourcePrefix = "Analytics.PostgreSql.Schema.";

    public static IReadOnlyList<(int Version, string Resource)> Migrations { get; } = LoadMigrations();

    public static int LatestVersion => Migrations[^1].Version;

    public static async Task MigrateAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        var quoted = Quote(schema);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(
"SELECT pg_advisory_xact_lock(hashtext($1));", connection, transaction))
        {
            // Held to commit: an instance starting beside this one waits here, then finds the schema migrated.
            command.Parameters.Add(new NpgsqlParameter { Value = "Analytics.PostgreSql migrate " + schema });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand(
            $"""
            CREATE SCHEMA IF NOT EXISTS {quoted};
            CREATE TABLE IF NOT EXISTS {quoted}.schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            """,
            connection,
            transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int current;
        await using (var command = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {quoted}.schema_version;", connection, transaction))
        {
            current = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The analytics schema '{schema}' has version {current}, newer than the {LatestVersion} " +
                "this version of Analytics.PostgreSql knows. Upgrade the package or use another schema.");
        }

        foreach (var (version, resource) in Migrations)
        {
            if (version <= current)
            {
                continue;
            }

            await using var command = new NpgsqlCommand(
                ReadScript(resource).Replace("{schema}", quoted, StringComparison.Ordinal) +
                $"\nINSERT INTO {quoted}.schema_version (version) VALUES ({version.ToString(CultureInfo.InvariantCulture)});",
                connection,
                transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Quotes a schema name that <see cref="PostgreSqlAnalyticsStore.ValidateSchemaName"/> accepted.</summary>
    public static string Quote(string schema) => "\"" + schema + "\"";

    internal static string ReadScript(string resource)
    {
        using var stream = typeof(PostgreSqlSchema).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The schema script '{resource}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static List<(int, string)> LoadMigrations()
    {
        var migrations = new List<(int, string)>();
        foreach (var name in typeof(PostgreSqlSchema).Assembly.GetManifestResourceNames())
        {
            if (name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            {
                var file = name[ResourcePrefix.Length..];
                migrations.Add((int.Parse(file.AsSpan(0, file.IndexOf('_')), CultureInfo.InvariantCulture), name));
            }
        }

        migrations.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return migrations;
    }
}
