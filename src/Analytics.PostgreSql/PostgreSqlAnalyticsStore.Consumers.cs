using System.Data.Common;
using Analytics.Sql;
using Analytics.Storage;

namespace Analytics.PostgreSql;

/// <summary>
/// Consumers and releases (issue 24, migration 008): the raw rows' <c>release</c> and <c>consumer</c>, the request
/// rollups' <c>release</c> key and <c>consumers</c> sketch, and the per-consumer rollups in <c>consumer_rollups</c>.
/// The columns follow the shared lists of <see cref="StoreRows"/>, so the reads of both stores keep their ordinals.
/// </summary>
internal sealed partial class PostgreSqlAnalyticsStore : IConsumerRollupStore
{
    /// <summary><see cref="StoreRows.RequestColumns"/>, then release and consumer.</summary>
    internal const string RequestColumns = StoreRows.RequestColumns + ", release, consumer";

    /// <summary><see cref="StoreRows.EventColumns"/>, then release and consumer.</summary>
    internal const string EventColumns = StoreRows.EventColumns + ", release, consumer";

    private const int RequestReleaseOrdinal = 21;
    private const int EventReleaseOrdinal = 9;

    private SketchStatements? _consumerRollupStatements;

    // The per-consumer rollups: the request rollups' key and consumer; no consumers sketch (it would count one). Built
    // when first used: static initializers of different parts of a partial class run in no defined order.
    private SketchStatements ConsumerRollupStatements => _consumerRollupStatements ??= SketchStatements.For(
        RequestRollupTable with
        {
            Name = "consumer_rollups",
            Keys = [.. RequestRollupTable.Keys, ("consumer", "text")],
            Sketches = ["latency", "users", "clients"],
        },
        S);

    public IAsyncEnumerable<RequestRollup> ReadConsumerRollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string latency = query.IncludeSketches ? "latency" : "NULL::bytea";
        string cardinality = query.IncludeCardinality ? "users, clients" : "NULL::bytea, NULL::bytea";
        return ReadRollupsAsync(
            $"SELECT {StoreRows.RequestRollupColumns}, {latency}, {cardinality}, release, NULL::bytea, consumer FROM {S}.consumer_rollups",
            query, RollupFilters.Consumers, ReadRequestRollup, cancellationToken);
    }

    /// <summary>Reads <see cref="RequestColumns"/>.</summary>
    private static StoredRequest ReadRequest(DbDataReader reader)
    {
        var row = StoreRows.ReadRequest(reader);
        return row with
        {
            Request = row.Request with
            {
                Release = StoreRows.GetStringOrNull(reader, RequestReleaseOrdinal),
                Consumer = StoreRows.GetStringOrNull(reader, RequestReleaseOrdinal + 1),
            },
        };
    }

    /// <summary>Reads <see cref="EventColumns"/>.</summary>
    private static StoredEvent ReadEvent(DbDataReader reader)
    {
        var row = StoreRows.ReadEvent(reader);
        return row with
        {
            Event = row.Event with
            {
                Release = StoreRows.GetStringOrNull(reader, EventReleaseOrdinal),
                Consumer = StoreRows.GetStringOrNull(reader, EventReleaseOrdinal + 1),
            },
        };
    }

    /// <summary>
    /// Reads <see cref="StoreRows.RequestRollupColumns"/>, the latency, users and clients sketches, then release, the
    /// consumers sketch and, from <c>consumer_rollups</c>, the consumer (each sketch or NULL).
    /// </summary>
    private static RequestRollup ReadRequestRollup(DbDataReader reader, Granularity granularity) => new()
    {
        Granularity = granularity,
        BucketStart = StoreRows.FromUnixMicroseconds(reader.GetInt64(0)),
        Route = reader.GetString(1),
        Method = reader.GetString(2),
        StatusCode = reader.GetInt32(3),
        Environment = StoreRows.GetStringOrNullIfEmpty(reader, 4),
        Instance = StoreRows.GetStringOrNullIfEmpty(reader, 5),
        Count = reader.GetInt64(6),
        Errors = reader.GetInt64(7),
        DurationSumMicroseconds = reader.GetInt64(8),
        DurationMinMicroseconds = reader.GetInt64(9),
        DurationMaxMicroseconds = reader.GetInt64(10),
        RequestBytes = reader.GetInt64(11),
        ResponseBytes = reader.GetInt64(12),
        Kind = (RequestKind)reader.GetInt32(13),
        Latency = StoreRows.GetSketchOrNull(reader, 14),
        Users = StoreRows.GetCardinalityOrNull(reader, 15),
        Clients = StoreRows.GetCardinalityOrNull(reader, 16),
        Release = StoreRows.GetStringOrNullIfEmpty(reader, 17),
        Consumers = StoreRows.GetCardinalityOrNull(reader, 18),
        Consumer = reader.FieldCount > 19 ? StoreRows.GetStringOrNullIfEmpty(reader, 19) : null,
    };
}
