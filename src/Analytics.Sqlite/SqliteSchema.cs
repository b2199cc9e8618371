using Analytics.Storage;
using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite;

/// <summary>
/// Forward-only migrations: embedded scripts named <c>NNN_description.sql</c>, applied in order, each in its own
/// transaction together with the <c>PRAGMA user_version</c> it brings the file to.
/// </summary>
internal static class SqliteSchema
{
    private const string ResourcePrefix = "Analytics.Sqlite.Schema.";

    public static IReadOnlyList<(int Version, string Resource)> Migrations { get; } = LoadMigrations();

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>Brings the file to <paramref name="upTo"/> (the latest version unless given: tests and benchmarks stop earlier).</summary>
    public static void Migrate(SqliteConnection connection, int? upTo = null)
    {
        var current = GetVersion(connection);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The analytics database '{connection.DataSource}' has schema version {current}, newer than the " +
                $"{LatestVersion} this version of Analytics.Sqlite knows. Upgrade the package or use another file.");
        }

        if (current >= Math.Min(LatestVersion, upTo ?? LatestVersion))
        {
            return;
        }

        RegisterMigrationFunctions(connection);

        // The totals migrations (013, 015) group every rollup row, sketches and all: SQLite sorts them in a temporary
        // B-tree, which the writer's temp_store = MEMORY held whole (250 MB more at the upgrade of the benchmarks' 1.3 GB
        // file). In a temporary file the sort keeps to the page cache, whatever the file's size.
        var tempStore = Pragma(connection, "temp_store");
        Pragma(connection, "temp_store", "FILE");
        try
        {
            foreach (var (version, resource) in Migrations)
            {
                if (version <= current || version > upTo)
                {
                    continue;
                }

                using var transaction = connection.BeginTransaction();
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = ReadScript(resource) + $"\nPRAGMA user_version = {version};";
                command.ExecuteNonQuery();
                transaction.Commit();
            }
        }
        finally
        {
            Pragma(connection, "temp_store", tempStore);
        }
    }

    /// <summary>Reads a pragma, or with <paramref name="value"/> sets it.</summary>
    private static object? Pragma(SqliteConnection connection, string name, object? value = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = value is null ? $"PRAGMA {name};" : $"PRAGMA {name} = {value};";
        return command.ExecuteScalar();
    }

    /// <summary>
    /// The aggregates a migration merges sketches with (013 and 015 sum the existing request rollups into request_totals,
    /// 014 the per-consumer rollups into consumer_totals). An undecodable sketch is left out, as a read leaves it out; a
    /// latency total without any is the empty sketch.
    /// </summary>
    private static void RegisterMigrationFunctions(SqliteConnection connection)
    {
        connection.CreateAggregate(
            "analytics_latency_total",
            (LatencySketch?)null,
            static (LatencySketch? total, byte[]? data) =>
                Merge(total, data, static d => LatencySketch.FromBytes(d), static (t, s) => t.Merge(s)),
            static total => (total ?? new LatencySketch()).ToBytes(),
            isDeterministic: true);
        connection.CreateAggregate(
            "analytics_hll_total",
            (CardinalitySketch?)null,
            static (CardinalitySketch? total, byte[]? data) =>
                Merge(total, data, static d => CardinalitySketch.FromBytes(d), static (t, s) => t.Merge(s)),
            static total => total?.ToBytes(),
            isDeterministic: true);
    }

    private static T? Merge<T>(T? total, byte[]? data, Func<byte[], T> decode, Action<T, T> merge)
        where T : class
    {
        if (data is null || data.Length == 0)
        {
            return total;
        }

        T sketch;
        try
        {
            sketch = decode(data);
        }
        catch (FormatException)
        {
            return total;
        }

        if (total is null)
        {
            return sketch;
        }

        merge(total, sketch);
        return total;
    }

    public static int GetVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static string ReadScript(string resource)
    {
        using var stream = typeof(SqliteSchema).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The schema script '{resource}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static List<(int, string)> LoadMigrations()
    {
        var migrations = new List<(int, string)>();
        foreach (var name in typeof(SqliteSchema).Assembly.GetManifestResourceNames())
        {
            if (name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            {
                var file = name[ResourcePrefix.Length..];
                migrations.Add((int.Parse(file.AsSpan(0, file.IndexOf('_')), System.Globalization.CultureInfo.InvariantCulture), name));
            }
        }

        migrations.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return migrations;
    }
}
