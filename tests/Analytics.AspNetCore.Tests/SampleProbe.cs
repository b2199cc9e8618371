using Microsoft.Data.Sqlite;

namespace Analytics.AspNetCore.Tests;

/// <summary>What the tests that run the sample as a process read from outside it: its SQLite file, and the process through /proc.</summary>
internal static class SampleProbe
{
    /// <summary>Opens the file read-write without pooling, so that closing the connection lets go of it (and of its WAL).</summary>
    public static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>Counts the raw requests, or 0 while the file or its schema does not exist yet.</summary>
    public static long CountRequests(string database, string where = "1 = 1") => Count(database, "requests", where);

    /// <summary>Counts the raw custom events, or 0 while the file or its schema does not exist yet.</summary>
    public static long CountEvents(string database, string where = "1 = 1") => Count(database, "events", where);

    private static long Count(string database, string table, string where)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            connection.Open();
            return Scalar(connection, $"SELECT count(*) FROM {table} WHERE {where};");
        }
        catch (SqliteException)
        {
            return 0; // the schema is not there yet
        }
    }

    /// <summary>Gets the distinct names of the raw custom events, or none while the file or its schema does not exist yet.</summary>
    public static IReadOnlySet<string> EventNames(string database)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(database))
        {
            return names;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT DISTINCT name FROM events;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }
        catch (SqliteException)
        {
            // the schema is not there yet
        }

        return names;
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>Gets the resident set size of a process in bytes, from the <c>VmRSS</c> line of <c>/proc/PID/status</c>.</summary>
    public static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return kilobytes * 1024;
    }

    /// <summary>Counts the open file descriptors of a process (files, sockets, pipes, eventfds) in <c>/proc/PID/fd</c>.</summary>
    public static int OpenHandles(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    public static string Megabytes(long bytes) => (bytes / 1_048_576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
}
