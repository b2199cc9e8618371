using System.Text;
using Analytics.Sql;
using Analytics.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Analytics.Sqlite;

/// <summary>
/// Steps a request-rollup read through SQLitePCLRaw, the native layer under Microsoft.Data.Sqlite, on the command's
/// connection. A dashboard's first calls read thousands of rollup rows of twenty columns each, and Microsoft.Data.Sqlite
/// makes two or three native calls per column (its type check, the value, the length), each taking the statement's
/// handle and the connection's mutex; here it is one per column, and the sketches decode from the row's own memory
/// without a copy into a byte array first.
/// </summary>
internal sealed class SqliteRollupReader : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly (byte[]? Bytes, string? Text)[] _lastText = new (byte[]?, string?)[20];

    /// <summary>Prepares the command's SQL and binds its parameters (integers and text, as the rollup filters are).</summary>
    public SqliteRollupReader(SqliteCommand command)
    {
        _db = command.Connection!.Handle!;
        var result = raw.sqlite3_prepare_v2(_db, command.CommandText, out _statement);
        if (result != raw.SQLITE_OK)
        {
            _statement.Dispose();
            SqliteException.ThrowExceptionForRC(result, _db);
        }

        foreach (SqliteParameter parameter in command.Parameters)
        {
            int index = raw.sqlite3_bind_parameter_index(_statement, parameter.ParameterName);
            result = parameter.Value switch
            {
                int value => raw.sqlite3_bind_int64(_statement, index, value),
                long value => raw.sqlite3_bind_int64(_statement, index, value),
                string value => raw.sqlite3_bind_text16(_statement, index, value),
                var other => throw new InvalidOperationException(
                    $"A rollup read binds integers and text, not {other?.GetType().Name ?? "null"} " +
                    $"({parameter.ParameterName})."),
            };
            if (result != raw.SQLITE_OK)
            {
                Dispose();
                SqliteException.ThrowExceptionForRC(result, _db);
            }
        }
    }

    /// <summary>Moves to the next row; <see langword="false"/> after the last.</summary>
    public bool Read()
    {
        var result = raw.sqlite3_step(_statement);
        if (result == raw.SQLITE_ROW)
        {
            return true;
        }

        if (result != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(result, _db);
        }

        return false;
    }

    /// <summary>Reads the row as <see cref="StoreRows.ReadRequestRollup"/> does, from the same column list.</summary>
    public RequestRollup ReadRequestRollup(Granularity granularity) => new()
    {
        Granularity = granularity,
        BucketStart = StoreRows.FromUnixMicroseconds(raw.sqlite3_column_int64(_statement, 0)),
        Route = Text(1) ?? "",
        Method = Text(2) ?? "",
        StatusCode = raw.sqlite3_column_int(_statement, 3),
        Environment = Text(4),
        Instance = Text(5),
        Count = raw.sqlite3_column_int64(_statement, 6),
        Errors = raw.sqlite3_column_int64(_statement, 7),
        DurationSumMicroseconds = raw.sqlite3_column_int64(_statement, 8),
        DurationMinMicroseconds = raw.sqlite3_column_int64(_statement, 9),
        DurationMaxMicroseconds = raw.sqlite3_column_int64(_statement, 10),
        RequestBytes = raw.sqlite3_column_int64(_statement, 11),
        ResponseBytes = raw.sqlite3_column_int64(_statement, 12),
        Kind = (RequestKind)raw.sqlite3_column_int(_statement, 13),
        Latency = Decode(14, static data => LatencySketch.FromBytes(data)),
        Users = Decode(15, static data => CardinalitySketch.FromBytes(data)),
        Clients = Decode(16, static data => CardinalitySketch.FromBytes(data)),
        Consumers = Decode(17, static data => CardinalitySketch.FromBytes(data)),
        Release = Text(18),
        Consumer = Text(19),
    };

    public void Dispose() => _statement.Dispose();

    /// <summary>Text, or <see langword="null"/> for '' (the keys' "none") and NULL.</summary>
    /// <remarks>
    /// The previous row's string is reused when the bytes are the same: rows come in the index's order (bucket, route,
    /// method, …), so route, method and release mostly repeat, and a week of hours decoded 30 000 strings for 170 distinct.
    /// </remarks>
    private string? Text(int column)
    {
        var text = raw.sqlite3_column_blob(_statement, column); // a TEXT value's UTF-8 bytes as stored, in one call
        if (text.IsEmpty)
        {
            return null;
        }

        ref var last = ref _lastText[column];
        if (last.Bytes is { } bytes && text.SequenceEqual(bytes))
        {
            return last.Text;
        }

        last = (text.ToArray(), Encoding.UTF8.GetString(text));
        return last.Text;
    }

    /// <summary>A sketch, or <see langword="null"/> for NULL and for one that does not decode, as <see cref="StoreRows"/> reads it.</summary>
    private T? Decode<T>(int column, Decoder<T> decode)
        where T : class
    {
        var data = raw.sqlite3_column_blob(_statement, column); // empty for NULL, which no sketch encodes to
        if (data.IsEmpty)
        {
            return null;
        }

        try
        {
            return decode(data);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private delegate T Decoder<out T>(ReadOnlySpan<byte> data);
}
