using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite.Tests;

/// <summary>One statement on a connection, for the tests that look into a file directly.</summary>
internal static class SqliteCommands
{
    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
