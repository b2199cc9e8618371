using System.Globalization;
using System.Text;
using Analytics.Storage;
using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite;

/// <summary>
/// Reads raw requests (the request log, the export, error occurrences) from <c>request_rows</c> and maps its shape and
/// string ids to their values from caches of its own, instead of through the <c>requests</c> view. The view's three
/// joins and its trace-id CASE made the newest 100 rows 1.15× and the export 1.27× a row the time they took before
/// schema 12 (RawReadBenchmarks, benchmarks/README.md); a cached id costs an array index, and its strings are decoded
/// from UTF-8 once, not on every row.
/// </summary>
/// <remarks>
/// A cache may keep an id for the store's lifetime because ids in <c>request_shapes</c> and <c>request_strings</c> never
/// change and are never deleted or reused (<c>012_interned_strings.sql</c>; retention deletes <c>request_rows</c> only),
/// and because a reader sees committed rows only (a private cache): an id a writer's rolled-back batch handed out is
/// never seen here. Each cache is direct-mapped, <see cref="Capacity"/> slots indexed by the id's low bits: ids are
/// dense, so the first <see cref="Capacity"/> shapes or strings never evict one another, memory stays flat whatever
/// the cardinality (100 000 consumers, a path per user), and concurrent pages share it without a lock (a slot is one
/// reference, written whole). A page looks every id up first, then fetches the misses in one query per table.
/// </remarks>
internal sealed class SqliteRequestReader
{
    /// <summary>The table raw requests are read from.</summary>
    internal const string Table = "request_rows";

    /// <summary>The columns a page selects from <see cref="Table"/>, in the order <see cref="ReadRowsAsync"/> reads them.</summary>
    internal const string Columns =
        "id, ts, shape, path, status, duration_us, request_bytes, response_bytes, client_ip, trace_id, user_id, " +
        "exception_message, stack_trace, fingerprint";

    /// <summary>
    /// The slots in each cache, as many as the writer keeps (<see cref="SqliteRequestInsert.MaxCachedIds"/>): about
    /// 1 MB of 64-byte paths, or of shapes that differ by a 100-character consumer.
    /// </summary>
    internal const int Capacity = SqliteRequestInsert.MaxCachedIds;

    private readonly Entry<Shape>?[] _shapes = new Entry<Shape>?[Capacity];
    private readonly Entry<string>?[] _strings = new Entry<string>?[Capacity];

    private long _fetchedIds;

    /// <summary>Gets how many ids pages have fetched from the file since the store opened (their cache misses), for tests.</summary>
    internal long FetchedIds => Interlocked.Read(ref _fetchedIds);

    /// <summary>Gets how many strings the cache holds, for tests.</summary>
    internal int CachedStrings => _strings.Count(entry => entry is not null);

    /// <summary>Runs <paramref name="command"/>, which selects <see cref="Columns"/>, and maps its rows to requests.</summary>
    /// <remarks>
    /// A row whose ids all hit becomes its request at once; one that misses is kept with placeholders and its index, and
    /// completed once the misses are fetched. Buffering every row's columns first made an export page of 1 000 rows a
    /// large-object allocation, with Gen2 collections in RawReadBenchmarks' ExportWalk; this allocates 344 bytes a row
    /// instead of 552.
    /// </remarks>
    public async Task<IReadOnlyList<StoredRequest>> ReadRowsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var requests = new List<StoredRequest>();
        List<Pending>? pending = null;
        HashSet<long>? missingShapes = null;
        HashSet<long>? missingStrings = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                long shapeId = reader.GetInt64(2);
                long pathId = reader.GetInt64(3);
                long? clientIpId = reader.IsDBNull(8) ? null : reader.GetInt64(8);
                var shape = Find(_shapes, shapeId, ref missingShapes);
                var path = Find(_strings, pathId, ref missingStrings);
                var clientIp = clientIpId is { } ip ? Find(_strings, ip, ref missingStrings) : null;
                if (shape is null || path is null || (clientIpId is not null && clientIp is null))
                {
                    (pending ??= []).Add(new Pending(
                        requests.Count, shape is null ? shapeId : null, path is null ? pathId : null, clientIp is null ? clientIpId : null));
                }

                requests.Add(new StoredRequest(reader.GetInt64(0), ReadRecord(reader, shape ?? Shape.Missing, path ?? "", clientIp)));
            }
        }

        if (pending is not null)
        {
            await CompleteAsync(command.Connection!, requests, pending, missingShapes, missingStrings, cancellationToken)
                .ConfigureAwait(false);
        }

        return requests;
    }

    private async Task CompleteAsync(
        SqliteConnection connection,
        List<StoredRequest> requests,
        List<Pending> pending,
        HashSet<long>? missingShapes,
        HashSet<long>? missingStrings,
        CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _fetchedIds, (missingShapes?.Count ?? 0) + (missingStrings?.Count ?? 0));
        var shapes = missingShapes is null
            ? null
            : await FetchAsync(connection, "request_shapes", Shape.Columns, missingShapes, _shapes, ReadShape, cancellationToken)
                .ConfigureAwait(false);
        var strings = missingStrings is null
            ? null
            : await FetchAsync(connection, "request_strings", "text", missingStrings, _strings, ReadString, cancellationToken)
                .ConfigureAwait(false);
        foreach (var (index, shapeId, pathId, clientIpId) in pending)
        {
            var record = requests[index].Request;
            if (shapeId is { } s)
            {
                var shape = shapes![s];
                record = record with
                {
                    Method = shape.Method,
                    Route = shape.Route,
                    UserAgent = shape.UserAgent,
                    Protocol = shape.Protocol,
                    Kind = shape.Kind,
                    Environment = shape.Environment,
                    Instance = shape.Instance,
                    ExceptionType = shape.ExceptionType,
                    Consumer = shape.Consumer,
                    Release = shape.Release,
                };
            }

            if (pathId is { } p)
            {
                record = record with { Path = strings![p] };
            }

            if (clientIpId is { } ip)
            {
                record = record with { ClientIp = strings![ip] };
            }

            requests[index] = requests[index] with { Request = record };
        }
    }

    private static RequestRecord ReadRecord(SqliteDataReader reader, Shape shape, string path, string? clientIp) => new()
    {
        Timestamp = SqliteAnalyticsStore.FromUnixMicroseconds(reader.GetInt64(1)),
        Method = shape.Method,
        Route = shape.Route,
        Path = path,
        StatusCode = reader.GetInt32(4),
        Duration = TimeSpan.FromMicroseconds(reader.GetInt64(5)),
        RequestBytes = reader.GetInt64(6),
        ResponseBytes = reader.GetInt64(7),
        ClientIp = clientIp,
        UserAgent = shape.UserAgent,
        Protocol = shape.Protocol,
        Kind = shape.Kind,

        // A W3C trace id is kept as its 16 bytes and read back as the 32 lower-case hex digits it was written as;
        // anything else, and every row of a file converted from schema 11, is the text it came as.
        TraceId = reader.GetValue(9) switch
        {
            byte[] bytes => Convert.ToHexStringLower(bytes),
            string text => text,
            _ => null,
        },
        UserId = TextOrNull(reader, 10),
        Environment = shape.Environment,
        Instance = shape.Instance,
        ExceptionType = shape.ExceptionType,
        ExceptionMessage = TextOrNull(reader, 11),
        StackTrace = TextOrNull(reader, 12),
        ErrorFingerprint = TextOrNull(reader, 13),
        Consumer = shape.Consumer,
        Release = shape.Release,
    };

    private static string? TextOrNull(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static T? Find<T>(Entry<T>?[] cache, long id, ref HashSet<long>? missing)
        where T : class
    {
        var entry = cache[Slot(id)];
        if (entry is not null && entry.Id == id)
        {
            return entry.Value;
        }

        (missing ??= []).Add(id);
        return null;
    }

    private static int Slot(long id) => (int)(id & (Capacity - 1)); // Capacity is a power of two

    /// <summary>
    /// Fetches the values of <paramref name="ids"/> in one query and caches them. The ids are integers read from the file,
    /// written into the SQL as literals: one statement for any number of them, without a parameter limit or carray.
    /// </summary>
    private static async Task<Dictionary<long, T>> FetchAsync<T>(
        SqliteConnection connection,
        string table,
        string columns,
        HashSet<long> ids,
        Entry<T>?[] cache,
        Func<SqliteDataReader, T> read,
        CancellationToken cancellationToken)
        where T : class
    {
        var sql = new StringBuilder($"SELECT id, {columns} FROM {table} WHERE id IN (");
        foreach (var id in ids)
        {
            sql.Append(CultureInfo.InvariantCulture, $"{id},");
        }

        sql.Length--;
        await using var command = connection.CreateCommand();
        command.CommandText = sql.Append(");").ToString();
        var values = new Dictionary<long, T>(ids.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetInt64(0);
            var value = read(reader);
            values.Add(id, value);
            cache[Slot(id)] = new Entry<T>(id, value);
        }

        if (values.Count != ids.Count)
        {
            var missing = ids.First(id => !values.ContainsKey(id));
            throw new InvalidOperationException($"A raw request refers to id {missing} of {table}, which the file does not have.");
        }

        return values;
    }

    private static Shape ReadShape(SqliteDataReader reader) => new(
        reader.GetString(1),
        reader.GetString(2),
        TextOrNull(reader, 3),
        TextOrNull(reader, 4),
        (RequestKind)reader.GetInt32(5),
        TextOrNull(reader, 6),
        TextOrNull(reader, 7),
        TextOrNull(reader, 8),
        TextOrNull(reader, 9),
        TextOrNull(reader, 10));

    private static string ReadString(SqliteDataReader reader) => reader.GetString(1);

    /// <summary>One cache slot: an id and its value, replaced whole (a reader never sees an id with another's value).</summary>
    private sealed record Entry<T>(long Id, T Value);

    /// <summary>A row of <c>request_shapes</c>.</summary>
    private sealed record Shape(
        string Method,
        string Route,
        string? Protocol,
        string? UserAgent,
        RequestKind Kind,
        string? Environment,
        string? Instance,
        string? ExceptionType,
        string? Consumer,
        string? Release)
    {
        public const string Columns = "method, route, protocol, user_agent, kind, environment, instance, exception_type, consumer, release";

        /// <summary>The placeholder a request holds until its shape is fetched.</summary>
        public static readonly Shape Missing = new("", "", null, null, RequestKind.Http, null, null, null, null, null);
    }

    /// <summary>A request read with placeholders: where it is in the page, and the ids it still needs (null: it has them).</summary>
    private readonly record struct Pending(int Index, long? Shape, long? Path, long? ClientIp);
}
