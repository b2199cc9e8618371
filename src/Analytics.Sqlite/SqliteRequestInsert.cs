using System.Buffers;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Analytics.Sqlite;

/// <summary>
/// The raw-row insert, the one statement that runs once per request. It binds by index through SQLitePCLRaw, the
/// native layer under Microsoft.Data.Sqlite, on the same connection and so inside its transaction: Microsoft.Data.Sqlite
/// looks every parameter up by name and allocates about 2 KB on each execution: 4.7 µs a row against 2.7 µs for this
/// (IngestBenchmarks).
/// </summary>
/// <remarks>
/// Since schema 12 a row keeps ids for the strings that repeat (<c>012_interned_strings.sql</c>): its shape (method,
/// route, protocol, user agent, kind, environment, instance, exception type, consumer, release) and its path and client
/// address. The ids come from two in-memory caches, filled lazily from the file on a miss and emptied when a batch
/// rolls back (an id inserted by that batch no longer exists, and a retried batch must not reference it) or when they
/// reach <see cref="MaxCachedIds"/> entries (high-cardinality paths then cost a lookup, not memory).
/// </remarks>
internal sealed class SqliteRequestInsert : IDisposable
{
    /// <summary>
    /// The most strings, and separately the most shapes, kept in memory: about 1 MB at 64-byte paths. A shape names the
    /// consumer, so an app naming one per user (ConsumerFloodTests: 100 000 distinct ids of 100 characters) would hold
    /// 30 MB and more at 100 000 entries; past the cap a miss costs one indexed lookup, not memory.
    /// </summary>
    internal const int MaxCachedIds = 8_192;

    private const string ShapeWhere =
        "route = ?2 AND method = ?1 AND user_agent IS ?4 AND protocol IS ?3 AND kind = ?5 AND environment IS ?6 " +
        "AND instance IS ?7 AND exception_type IS ?8 AND consumer IS ?9 AND release IS ?10";

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly sqlite3_stmt _findString;
    private readonly sqlite3_stmt _addString;
    private readonly sqlite3_stmt _findShape;
    private readonly sqlite3_stmt _addShape;
    private readonly Dictionary<string, long> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<Shape, long> _shapes = [];

    public SqliteRequestInsert(SqliteConnection connection)
    {
        _db = connection.Handle!;
        _statement = SqliteStatements.Prepare(_db, """
            INSERT INTO request_rows (ts, shape, path, status, duration_us, request_bytes, response_bytes, client_ip, trace_id,
                user_id, exception_message, stack_trace, fingerprint)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
            """);
        _findString = SqliteStatements.Prepare(_db, "SELECT id FROM request_strings WHERE text = ?;");
        _addString = SqliteStatements.Prepare(_db, "INSERT INTO request_strings (text) VALUES (?);");
        _findShape = SqliteStatements.Prepare(_db, $"SELECT id FROM request_shapes WHERE {ShapeWhere};");
        _addShape = SqliteStatements.Prepare(
            _db,
            "INSERT INTO request_shapes (method, route, protocol, user_agent, kind, environment, instance, exception_type, " +
            "consumer, release) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10);");
    }

    /// <summary>Gets how many strings and shapes the caches hold, for tests.</summary>
    internal int CachedIds => _strings.Count + _shapes.Count;

    public void Run(in RequestRecord r)
    {
        long shape = ShapeId(new Shape(
            r.Method, r.Route, r.Protocol, r.UserAgent, r.Kind, r.Environment, r.Instance, r.ExceptionType, r.Consumer, r.Release));
        long path = StringId(r.Path);
        long? clientIp = r.ClientIp is null ? null : StringId(r.ClientIp);
        var s = _statement;
        try
        {
            raw.sqlite3_bind_int64(s, 1, SqliteAnalyticsStore.ToUnixMicroseconds(r.Timestamp));
            raw.sqlite3_bind_int64(s, 2, shape);
            raw.sqlite3_bind_int64(s, 3, path);
            raw.sqlite3_bind_int(s, 4, r.StatusCode);
            raw.sqlite3_bind_int64(s, 5, r.Duration.Ticks / TimeSpan.TicksPerMicrosecond);
            raw.sqlite3_bind_int64(s, 6, r.RequestBytes);
            raw.sqlite3_bind_int64(s, 7, r.ResponseBytes);
            Check(clientIp is { } ip ? raw.sqlite3_bind_int64(s, 8, ip) : raw.sqlite3_bind_null(s, 8), 8);
            TraceId(s, 9, r.TraceId);
            Text(s, 10, r.UserId);
            Text(s, 11, r.ExceptionMessage);
            Text(s, 12, r.StackTrace);
            Text(s, 13, r.ErrorFingerprint);
            Step(s);
        }
        finally
        {
            raw.sqlite3_reset(s);
        }
    }

    /// <summary>
    /// Forgets every cached id: called when the transaction the inserts ran in rolled back, since ids it inserted were
    /// rolled back with it (and may be handed out again for other strings).
    /// </summary>
    public void ResetCache()
    {
        _strings.Clear();
        _shapes.Clear();
    }

    public void Dispose()
    {
        _statement.Dispose();
        _findString.Dispose();
        _addString.Dispose();
        _findShape.Dispose();
        _addShape.Dispose();
    }

    private long StringId(string text)
    {
        if (_strings.TryGetValue(text, out var id))
        {
            return id;
        }

        Text(_findString, 1, text);
        if (!TryFind(_findString, out id))
        {
            Text(_addString, 1, text);
            id = Add(_addString);
        }

        if (_strings.Count >= MaxCachedIds)
        {
            _strings.Clear();
        }

        _strings.Add(text, id);
        return id;
    }

    private long ShapeId(in Shape shape)
    {
        if (_shapes.TryGetValue(shape, out var id))
        {
            return id;
        }

        Bind(_findShape, shape);
        if (!TryFind(_findShape, out id))
        {
            Bind(_addShape, shape);
            id = Add(_addShape);
        }

        if (_shapes.Count >= MaxCachedIds)
        {
            _shapes.Clear();
        }

        _shapes.Add(shape, id);
        return id;
    }

    private static void Bind(sqlite3_stmt s, in Shape shape)
    {
        Text(s, 1, shape.Method);
        Text(s, 2, shape.Route);
        Text(s, 3, shape.Protocol);
        Text(s, 4, shape.UserAgent);
        Check(raw.sqlite3_bind_int(s, 5, (int)shape.Kind), 5);
        Text(s, 6, shape.Environment);
        Text(s, 7, shape.Instance);
        Text(s, 8, shape.ExceptionType);
        Text(s, 9, shape.Consumer);
        Text(s, 10, shape.Release);
    }

    private bool TryFind(sqlite3_stmt s, out long id)
    {
        try
        {
            var result = raw.sqlite3_step(s);
            if (result == raw.SQLITE_ROW)
            {
                id = raw.sqlite3_column_int64(s, 0);
                return true;
            }

            if (result != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(result, _db);
            }

            id = 0;
            return false;
        }
        finally
        {
            raw.sqlite3_reset(s);
        }
    }

    private long Add(sqlite3_stmt s)
    {
        try
        {
            Step(s);
            return raw.sqlite3_last_insert_rowid(_db);
        }
        finally
        {
            raw.sqlite3_reset(s);
        }
    }

    private void Step(sqlite3_stmt s) => SqliteStatements.StepToDone(_db, s);

    /// <summary>A W3C trace id (32 lowercase hex digits, as Activity writes it) as its 16 bytes; anything else as text.</summary>
    private static void TraceId(sqlite3_stmt statement, int index, string? value)
    {
        if (value is { Length: 32 } && !value.AsSpan().ContainsAnyExcept(LowerHex))
        {
            Span<byte> bytes = stackalloc byte[16];
            Convert.FromHexString(value, bytes, out _, out _);
            Check(raw.sqlite3_bind_blob(statement, index, bytes), index);
        }
        else
        {
            Text(statement, index, value);
        }
    }

    private static void Text(sqlite3_stmt statement, int index, string? value) => Check(
        value switch
        {
            null => raw.sqlite3_bind_null(statement, index),
            _ => raw.sqlite3_bind_text16(statement, index, value), // UTF-16 as is; SQLite converts it into the file's UTF-8
        },
        index);

    private static void Check(int result, int index)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite refused parameter {index} of the request insert ({result}).");
        }
    }

    /// <summary>The columns of <c>request_shapes</c>: what repeats across a service's requests.</summary>
    private readonly record struct Shape(
        string Method,
        string Route,
        string? Protocol,
        string? UserAgent,
        RequestKind Kind,
        string? Environment,
        string? Instance,
        string? ExceptionType,
        string? Consumer,
        string? Release);
}
