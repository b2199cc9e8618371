using System.Data.Common;
using Analytics.Storage;

namespace Analytics.Sql;

/// <summary>
/// Maps rows to records for the SQL stores, which share their column lists and encodings (times in Unix microseconds,
/// '' for "none" in rollup keys, sketches as <see cref="LatencySketch.ToBytes"/>). Compiled into each store's assembly.
/// </summary>
internal static class StoreRows
{
    public const string RequestColumns =
        "id, ts, method, route, path, status, duration_us, request_bytes, response_bytes, client_ip, user_agent, " +
        "protocol, kind, trace_id, user_id, environment, instance, exception_type, exception_message, stack_trace, " +
        "fingerprint";

    public const string EventColumns = "id, ts, name, user_id, duration_us, success, properties, environment, instance";

    /// <summary>
    /// The columns raw requests and events gained with consumers and releases, selected after <see cref="RequestColumns"/>
    /// or <see cref="EventColumns"/> by a store that keeps them; <see cref="ReadRequest"/> and <see cref="ReadEvent"/> read
    /// them when they are there.
    /// </summary>
    public const string ConsumerReleaseColumns = "consumer, release";

    public const string RequestRollupColumns =
        "bucket_start, route, method, status, environment, instance, count, errors, duration_sum_us, " +
        "duration_min_us, duration_max_us, request_bytes, response_bytes, kind";

    public const string ErrorRollupColumns =
        "bucket_start, route, method, status, exception_type, environment, instance, count, first_seen, last_seen, " +
        "last_message, fingerprint, kind";

    public const string ErrorGroupColumns =
        "fingerprint, route, method, status, exception_type, message, count, first_seen, last_seen, severity, " +
        "resolved_at, regressed";

    public const string EventRollupColumns = "bucket_start, name, environment, instance, count, successes, failures";

    public const string OutboxColumns =
        "id, subscription_id, event_type, payload, created_at, next_attempt_at, attempts, deliveries, state, claim_token";

    public const string AttemptColumns = "id, message_id, subscription_id, event_type, attempt, ts, duration_us, status, response, error";

    public const string RuleColumns =
        "id, name, metric, route, method, event_name, window_us, operator, threshold, enabled, source, firing, firing_changed_at, last_value, " +
        "slo, check_name";

    public const string HistoryColumns =
        "id, rule_id, name, metric, route, method, event_name, window_us, operator, threshold, triggered, value, window_start, window_end, ts";

    public static long ToUnixMicroseconds(DateTimeOffset value) =>
        (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromUnixMicroseconds(long value) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (value * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    public static string? GetStringOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static string? GetStringOrNullIfEmpty(DbDataReader reader, int ordinal) =>
        GetStringOrNull(reader, ordinal) is { Length: > 0 } value ? value : null;

    /// <summary>
    /// Reads a sketch. One that does not decode (a damaged row) reads as no sketch: the row's counts and sums still
    /// answer, and one bad row cannot make every query over its range fail.
    /// </summary>
    public static LatencySketch? GetSketchOrNull(DbDataReader reader, int ordinal) => Decode(reader, ordinal, static b => LatencySketch.FromBytes(b));

    /// <summary>Reads a cardinality sketch; one that does not decode reads as none, as in <see cref="GetSketchOrNull"/>.</summary>
    public static CardinalitySketch? GetCardinalityOrNull(DbDataReader reader, int ordinal) =>
        Decode(reader, ordinal, static b => CardinalitySketch.FromBytes(b));

    /// <summary>
    /// Merges a batch's sketch into the encoded one a row holds. A stored sketch that does not decode (a damaged row) is
    /// replaced by the batch's rather than failing the batch: otherwise every later batch touching that row would fail
    /// too, and the writer would drop them all. The row's counts and sums are still added exactly.
    /// </summary>
    public static byte[] MergeIntoStored(byte[] stored, LatencySketch added)
    {
        LatencySketch sketch;
        try
        {
            sketch = LatencySketch.FromBytes(stored);
        }
        catch (FormatException)
        {
            return added.ToBytes();
        }

        sketch.Merge(added);
        return sketch.ToBytes();
    }

    /// <summary>
    /// Merges two encoded cardinality sketches, either of which may be missing. A stored one that does not decode is
    /// replaced by the added one, as in <see cref="MergeIntoStored"/>.
    /// </summary>
    public static byte[]? MergeCardinalityIntoStored(byte[]? stored, byte[]? added)
    {
        if (stored is null || added is null)
        {
            return added ?? stored;
        }

        CardinalitySketch sketch;
        try
        {
            sketch = CardinalitySketch.FromBytes(stored);
        }
        catch (FormatException)
        {
            return added;
        }

        sketch.Merge(CardinalitySketch.FromBytes(added));
        return sketch.ToBytes();
    }

    private static T? Decode<T>(DbDataReader reader, int ordinal, Func<byte[], T> decode)
        where T : class
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        try
        {
            return decode(reader.GetFieldValue<byte[]>(ordinal));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads <see cref="RequestColumns"/>, then <see cref="ConsumerReleaseColumns"/> when selected.</summary>
    public static StoredRequest ReadRequest(DbDataReader reader) => new(reader.GetInt64(0), new RequestRecord
    {
        Timestamp = FromUnixMicroseconds(reader.GetInt64(1)),
        Method = reader.GetString(2),
        Route = reader.GetString(3),
        Path = reader.GetString(4),
        StatusCode = reader.GetInt32(5),
        Duration = TimeSpan.FromMicroseconds(reader.GetInt64(6)),
        RequestBytes = reader.GetInt64(7),
        ResponseBytes = reader.GetInt64(8),
        ClientIp = GetStringOrNull(reader, 9),
        UserAgent = GetStringOrNull(reader, 10),
        Protocol = GetStringOrNull(reader, 11),
        Kind = (RequestKind)reader.GetInt32(12),
        TraceId = GetStringOrNull(reader, 13),
        UserId = GetStringOrNull(reader, 14),
        Environment = GetStringOrNull(reader, 15),
        Instance = GetStringOrNull(reader, 16),
        ExceptionType = GetStringOrNull(reader, 17),
        ExceptionMessage = GetStringOrNull(reader, 18),
        StackTrace = GetStringOrNull(reader, 19),
        ErrorFingerprint = GetStringOrNull(reader, 20),
        Consumer = reader.FieldCount > 22 ? GetStringOrNull(reader, 21) : null,
        Release = reader.FieldCount > 22 ? GetStringOrNull(reader, 22) : null,
    });

    /// <summary>Reads <see cref="EventColumns"/>, then <see cref="ConsumerReleaseColumns"/> when selected.</summary>
    public static StoredEvent ReadEvent(DbDataReader reader) => new(reader.GetInt64(0), new EventRecord
    {
        Timestamp = FromUnixMicroseconds(reader.GetInt64(1)),
        Name = reader.GetString(2),
        UserId = GetStringOrNull(reader, 3),
        Duration = reader.IsDBNull(4) ? null : TimeSpan.FromMicroseconds(reader.GetInt64(4)),
        Success = reader.IsDBNull(5) ? null : reader.GetBoolean(5),
        PropertiesJson = GetStringOrNull(reader, 6),
        Environment = GetStringOrNull(reader, 7),
        Instance = GetStringOrNull(reader, 8),
        Consumer = reader.FieldCount > 10 ? GetStringOrNull(reader, 9) : null,
        Release = reader.FieldCount > 10 ? GetStringOrNull(reader, 10) : null,
    });

    /// <summary>
    /// Reads <see cref="RequestRollupColumns"/>, then the latency sketch, the users and the clients sketches (each or
    /// NULL), and when a store that keeps consumers and releases selects them, the consumers sketch (or NULL), the
    /// release ('' for none) and the consumer ('' or NULL in the request rollups, which have none).
    /// </summary>
    public static RequestRollup ReadRequestRollup(DbDataReader reader, Granularity granularity) => new()
    {
        Granularity = granularity,
        BucketStart = FromUnixMicroseconds(reader.GetInt64(0)),
        Route = reader.GetString(1),
        Method = reader.GetString(2),
        StatusCode = reader.GetInt32(3),
        Environment = GetStringOrNullIfEmpty(reader, 4),
        Instance = GetStringOrNullIfEmpty(reader, 5),
        Count = reader.GetInt64(6),
        Errors = reader.GetInt64(7),
        DurationSumMicroseconds = reader.GetInt64(8),
        DurationMinMicroseconds = reader.GetInt64(9),
        DurationMaxMicroseconds = reader.GetInt64(10),
        RequestBytes = reader.GetInt64(11),
        ResponseBytes = reader.GetInt64(12),
        Kind = (RequestKind)reader.GetInt32(13),
        Latency = GetSketchOrNull(reader, 14),
        Users = GetCardinalityOrNull(reader, 15),
        Clients = GetCardinalityOrNull(reader, 16),
        Consumers = reader.FieldCount > 19 ? GetCardinalityOrNull(reader, 17) : null,
        Release = reader.FieldCount > 19 ? GetStringOrNullIfEmpty(reader, 18) : null,
        Consumer = reader.FieldCount > 19 ? GetStringOrNullIfEmpty(reader, 19) : null,
    };

    /// <summary>Reads <see cref="ErrorRollupColumns"/>.</summary>
    public static ErrorRollup ReadErrorRollup(DbDataReader reader, Granularity granularity) => new()
    {
        Granularity = granularity,
        BucketStart = FromUnixMicroseconds(reader.GetInt64(0)),
        Route = reader.GetString(1),
        Method = reader.GetString(2),
        StatusCode = reader.GetInt32(3),
        ExceptionType = GetStringOrNullIfEmpty(reader, 4),
        Environment = GetStringOrNullIfEmpty(reader, 5),
        Instance = GetStringOrNullIfEmpty(reader, 6),
        Count = reader.GetInt64(7),
        FirstSeen = FromUnixMicroseconds(reader.GetInt64(8)),
        LastSeen = FromUnixMicroseconds(reader.GetInt64(9)),
        LastMessage = GetStringOrNull(reader, 10),
        Fingerprint = reader.GetString(11),
        Kind = (RequestKind)reader.GetInt32(12),
    };

    /// <summary>Reads <see cref="ErrorGroupColumns"/>.</summary>
    public static ErrorGroupState ReadErrorGroup(DbDataReader reader) => new()
    {
        Fingerprint = reader.GetString(0),
        Route = reader.GetString(1),
        Method = reader.GetString(2),
        StatusCode = reader.GetInt32(3),
        ExceptionType = GetStringOrNull(reader, 4),
        Message = GetStringOrNull(reader, 5),
        Count = reader.GetInt64(6),
        FirstSeen = FromUnixMicroseconds(reader.GetInt64(7)),
        LastSeen = FromUnixMicroseconds(reader.GetInt64(8)),
        Severity = (ErrorSeverity)reader.GetInt32(9),
        ResolvedAt = reader.IsDBNull(10) ? null : FromUnixMicroseconds(reader.GetInt64(10)),
        Regressed = reader.GetBoolean(11),
    };

    /// <summary>Reads <see cref="EventRollupColumns"/>, then the sketch (or NULL).</summary>
    public static EventRollup ReadEventRollup(DbDataReader reader, Granularity granularity) => new()
    {
        Granularity = granularity,
        BucketStart = FromUnixMicroseconds(reader.GetInt64(0)),
        Name = reader.GetString(1),
        Environment = GetStringOrNullIfEmpty(reader, 2),
        Instance = GetStringOrNullIfEmpty(reader, 3),
        Count = reader.GetInt64(4),
        Successes = reader.GetInt64(5),
        Failures = reader.GetInt64(6),
        Duration = GetSketchOrNull(reader, 7),
    };

    /// <summary>Reads <see cref="OutboxColumns"/>.</summary>
    public static WebhookMessage ReadMessage(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        SubscriptionId = reader.GetString(1),
        EventType = reader.GetString(2),
        Payload = reader.GetFieldValue<byte[]>(3),
        CreatedAt = FromUnixMicroseconds(reader.GetInt64(4)),
        NextAttemptAt = FromUnixMicroseconds(reader.GetInt64(5)),
        Attempts = reader.GetInt32(6),
        Deliveries = reader.GetInt32(7),
        State = (WebhookMessageState)reader.GetInt32(8),
        ClaimToken = reader.GetInt64(9),
    };

    /// <summary>Reads <see cref="AttemptColumns"/>.</summary>
    public static WebhookAttempt ReadAttempt(DbDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        MessageId = reader.GetString(1),
        SubscriptionId = reader.GetString(2),
        EventType = reader.GetString(3),
        Attempt = reader.GetInt32(4),
        Time = FromUnixMicroseconds(reader.GetInt64(5)),
        Duration = TimeSpan.FromMicroseconds(reader.GetInt64(6)),
        StatusCode = reader.IsDBNull(7) ? null : reader.GetInt32(7),
        Response = GetStringOrNull(reader, 8),
        Error = GetStringOrNull(reader, 9),
    };

    /// <summary>Reads <see cref="RuleColumns"/>.</summary>
    public static AlertRule ReadRule(DbDataReader reader) => ReadDefinition(reader, 0) with
    {
        Enabled = reader.GetBoolean(9),
        Source = (DefinitionSource)reader.GetInt32(10),
        Firing = reader.GetBoolean(11),
        FiringChangedAt = reader.IsDBNull(12) ? null : FromUnixMicroseconds(reader.GetInt64(12)),
        LastValue = reader.IsDBNull(13) ? null : reader.GetDouble(13),
        Slo = GetStringOrNull(reader, 14),
        Check = GetStringOrNull(reader, 15),
    };

    /// <summary>Reads <see cref="HistoryColumns"/>: the rule as it was evaluated, with the state it changed to.</summary>
    public static AlertTransition ReadTransition(DbDataReader reader)
    {
        var triggered = reader.GetBoolean(10);
        var time = FromUnixMicroseconds(reader.GetInt64(14));
        return new AlertTransition
        {
            Id = reader.GetInt64(0),
            Rule = ReadDefinition(reader, 1) with { Firing = triggered, FiringChangedAt = time, LastValue = reader.GetDouble(11) },
            Triggered = triggered,
            Value = reader.GetDouble(11),
            WindowStart = FromUnixMicroseconds(reader.GetInt64(12)),
            WindowEnd = FromUnixMicroseconds(reader.GetInt64(13)),
            Time = time,
        };
    }

    /// <summary>
    /// Reads a rule's definition from nine columns starting at <paramref name="first"/>: id, name, metric, route,
    /// method, event_name, window_us, operator, threshold (the order of both alert_rules and alert_history).
    /// </summary>
    private static AlertRule ReadDefinition(DbDataReader reader, int first) => new()
    {
        Id = reader.GetString(first),
        Name = reader.GetString(first + 1),
        Metric = (AlertMetric)reader.GetInt32(first + 2),
        Route = GetStringOrNull(reader, first + 3),
        Method = GetStringOrNull(reader, first + 4),
        EventName = GetStringOrNull(reader, first + 5),
        Window = TimeSpan.FromMicroseconds(reader.GetInt64(first + 6)),
        Operator = (AlertOperator)reader.GetInt32(first + 7),
        Threshold = reader.GetDouble(first + 8),
    };
}
