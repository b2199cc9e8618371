using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Analytics.Sqlite;

/// <summary>
/// What every statement the store runs through SQLitePCLRaw directly (raw-row insert, rollup upsert, totals, rollup
/// reader) does alike: preparing it, and stepping one that returns no row, with SQLite's errors thrown as
/// Microsoft.Data.Sqlite throws them.
/// </summary>
internal static class SqliteStatements
{
    /// <summary>Prepares <paramref name="sql"/> on <paramref name="db"/>.</summary>
    public static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        var result = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (result != raw.SQLITE_OK)
        {
            statement.Dispose();
            SqliteException.ThrowExceptionForRC(result, db);
        }

        return statement;
    }

    /// <summary>Runs a statement that returns no row; anything but done is SQLite's error.</summary>
    public static void StepToDone(sqlite3 db, sqlite3_stmt statement)
    {
        var result = raw.sqlite3_step(statement);
        if (result != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(result, db);
        }
    }
}
