using Analytics.Sql;
using Analytics.Storage;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>
/// Rollups: several instances add to the same rows. Counts and sums are added in SQL; a sketch is merged in .NET while
/// the batch's transaction holds the row's lock, so a concurrent batch waits for it instead of overwriting it. Rows
/// are sent in one order (ordinal, by key) on every instance, which keeps two batches from locking the same rows in
/// opposite orders.
/// </summary>
internal sealed partial class PostgreSqlAnalyticsStore
{
    // A row another instance inserts between this batch's lock and insert goes round again, to be locked and added to;
    // after this many rounds something else is wrong.
    private const int MaxMergeRounds = 5;

    private SketchStatements? _requestRollupStatements;
    private SketchStatements? _eventRollupStatements;

    /// <summary>
    /// A rollup table whose rows carry sketches. <see cref="Keys"/> and <see cref="Values"/> list the columns in the
    /// order <see cref="SketchRow"/> holds them, with their types for <c>unnest</c>; <see cref="AddValues"/> is the
    /// SET list adding a row <c>i</c> to the stored row <c>t</c>; <see cref="Sketches"/> are merged in .NET.
    /// </summary>
    private sealed record SketchTable(
        string Name,
        (string Column, string Type)[] Keys,
        (string Column, string Type)[] Values,
        string[] Sketches,
        string AddValues);

    /// <summary>
    /// A row to add: key values, other values (both in their table's column order) and its sketches, each a
    /// <see cref="LatencySketch"/>, a <see cref="CardinalitySketch"/> or <see langword="null"/>.
    /// </summary>
    private sealed record SketchRow(string SortKey, object[] Key, object[] Values, object?[] Sketches);

    private static readonly SketchTable RequestRollupTable = new(
        "request_rollups",
        [
            ("granularity", "smallint"), ("bucket_start", "bigint"), ("route", "text"), ("method", "text"),
            ("status", "integer"), ("environment", "text"), ("instance", "text"), ("kind", "smallint"), ("release", "text")
        ],
        [
            ("count", "bigint"), ("errors", "bigint"), ("duration_sum_us", "bigint"), ("duration_min_us", "bigint"),
            ("duration_max_us", "bigint"), ("request_bytes", "bigint"), ("response_bytes", "bigint")
        ],
        ["latency", "users", "clients", "consumers"],
        """
        count = t.count + i.count, errors = t.errors + i.errors, duration_sum_us = t.duration_sum_us + i.duration_sum_us,
        duration_min_us = least(t.duration_min_us, i.duration_min_us), duration_max_us = greatest(t.duration_max_us, i.duration_max_us),
        request_bytes = t.request_bytes + i.request_bytes, response_bytes = t.response_bytes + i.response_bytes
        """);

    private static readonly SketchTable EventRollupTable = new(
        "event_rollups",
        [("granularity", "smallint"), ("bucket_start", "bigint"), ("name", "text"), ("environment", "text"), ("instance", "text")],
        [("count", "bigint"), ("successes", "bigint"), ("failures", "bigint")],
        ["duration"],
        "count = t.count + i.count, successes = t.successes + i.successes, failures = t.failures + i.failures");

    /// <summary>
    /// The rows of request rollups, or of per-consumer rollups (<paramref name="perConsumer"/>: the consumer ends the key,
    /// and the row has no consumers sketch).
    /// </summary>
    private static List<SketchRow> RequestRollupRows(IReadOnlyList<RequestRollup> rollups, bool perConsumer)
    {
        var rows = new Dictionary<string, SketchRow>(rollups.Count, StringComparer.Ordinal);
        foreach (var r in rollups)
        {
            object[] key =
            [
                (short)r.Granularity, Micros(r.BucketStart), Text(r.Route)!, Text(r.Method)!, r.StatusCode,
                Text(r.Environment) ?? "", Text(r.Instance) ?? "", (short)r.Kind, Text(r.Release) ?? ""
            ];
            object?[] sketches = [r.Latency ?? new LatencySketch(), r.Users, r.Clients, r.Consumers];
            if (perConsumer)
            {
                key = [.. key, Text(r.Consumer) ?? ""];
                sketches = sketches[..^1];
            }

            object[] values =
            [
                r.Count, r.Errors, r.DurationSumMicroseconds, r.DurationMinMicroseconds, r.DurationMaxMicroseconds,
                r.RequestBytes, r.ResponseBytes
            ];
            Add(rows, new SketchRow(SortKey(key), key, values, sketches), static (a, b) =>
            [
                (long)a[0] + (long)b[0], (long)a[1] + (long)b[1], (long)a[2] + (long)b[2], Math.Min((long)a[3], (long)b[3]),
                Math.Max((long)a[4], (long)b[4]), (long)a[5] + (long)b[5], (long)a[6] + (long)b[6],
            ]);
        }

        return Sorted(rows);
    }

    private static List<SketchRow> EventRollupRows(IReadOnlyList<EventRollup> rollups)
    {
        var rows = new Dictionary<string, SketchRow>(rollups.Count, StringComparer.Ordinal);
        foreach (var r in rollups)
        {
            object[] key = [(short)r.Granularity, Micros(r.BucketStart), Text(r.Name)!, Text(r.Environment) ?? "", Text(r.Instance) ?? ""];
            Add(rows, new SketchRow(SortKey(key), key, [r.Count, r.Successes, r.Failures], [r.Duration]), static (a, b) =>
                [(long)a[0] + (long)b[0], (long)a[1] + (long)b[1], (long)a[2] + (long)b[2]]);
        }

        return Sorted(rows);
    }

    /// <summary>
    /// Adds a row, or folds it into the row with the same key: distinct keys meet when '' and NULL stand in one column,
    /// or when U+0000 is replaced (<see cref="Text"/>). One statement may not touch a row twice.
    /// </summary>
    private static void Add(Dictionary<string, SketchRow> rows, SketchRow row, Func<object[], object[], object[]> combine)
    {
        if (rows.TryGetValue(row.SortKey, out var existing))
        {
            row = row with
            {
                Values = combine(existing.Values, row.Values),
                Sketches = existing.Sketches.Select((s, n) => MergeCopies(s, row.Sketches[n])).ToArray()
            };
        }

        rows[row.SortKey] = row;
    }

    private static List<SketchRow> Sorted(Dictionary<string, SketchRow> rows)
    {
        var list = rows.Values.ToList();
        list.Sort(static (a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
        return list;
    }

    private static string SortKey(object[] key) =>
        string.Join('\u0000', key.Select(k => Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Merges two sketches into a new one; neither argument changes (a batch that fails is written again as it was).</summary>
    private static object? MergeCopies(object? a, object? b)
    {
        switch (a, b)
        {
            case (null, _) or (_, null):
                return a ?? b;
            case (LatencySketch x, LatencySketch y):
                var latency = LatencySketch.FromBytes(x.ToBytes());
                latency.Merge(y);
                return latency;
            default:
                var cardinality = CardinalitySketch.FromBytes(((CardinalitySketch)a).ToBytes());
                cardinality.Merge((CardinalitySketch)b);
                return cardinality;
        }
    }

    private static byte[]? Encode(object? sketch) => sketch switch
    {
        LatencySketch latency => latency.ToBytes(),
        CardinalitySketch cardinality => cardinality.ToBytes(),
        _ => null,
    };

    /// <summary>The three statements <see cref="UpsertSketchRowsAsync"/> runs on one table, built once per store.</summary>
    private sealed record SketchStatements(SketchTable Table, string Insert, string Lock, string Update)
    {
        public static SketchStatements For(SketchTable table, string schema)
        {
            var keyColumns = string.Join(", ", table.Keys.Select(k => k.Column));
            var sketchColumns = string.Join(", ", table.Sketches);
            var allColumns = $"{keyColumns}, {string.Join(", ", table.Values.Select(v => v.Column))}, {sketchColumns}";
            var keyMatch = string.Join(" AND ", table.Keys.Select(k => $"t.{k.Column} = i.{k.Column}"));
            var all = table.Keys.Concat(table.Values).Concat(table.Sketches.Select(c => (c, "bytea"))).ToArray();
            var keyUnnest = Arrays(table.Keys, first: 1);
            var allUnnest = Arrays(all, first: 1);
            return new SketchStatements(
                table,
                Insert: $"WITH i AS (SELECT * FROM unnest({allUnnest}) WITH ORDINALITY AS i({allColumns}, ord)),\n" +
                    $"added AS (INSERT INTO {schema}.{table.Name} ({allColumns}) SELECT {allColumns} FROM i " +
                    $"ORDER BY ord ON CONFLICT DO NOTHING RETURNING {keyColumns})\n" +
                    $"SELECT i.ord FROM i JOIN added t ON {keyMatch};",
                // Each key is looked up in the primary key on its own (LATERAL): a join let the planner hash the whole
                // table on every batch, which cost more than the lock and the update together (issue 26).
                Lock: $"SELECT i.ord, t.row_id, {string.Join(", ", table.Sketches.Select(c => "t." + c))} " +
                    $"FROM unnest({keyUnnest}) WITH ORDINALITY AS i({keyColumns}, ord)\n" +
                    $"""
                    CROSS JOIN LATERAL (SELECT t.ctid::text AS row_id, {sketchColumns} FROM {schema}.{table.Name} t WHERE {keyMatch} FOR UPDATE) t
                    ORDER BY i.ord;
                    """,
                // A locked row keeps its ctid until this transaction ends, so each row is found by it (sent as text:
                // Npgsql writes no tid arrays); the key is matched as well, so a row not found shows in the count.
                Update: $"""
                    UPDATE {schema}.{table.Name} t SET {table.AddValues}, {string.Join(", ", table.Sketches.Select(c => $"{c} = i.{c}"))}
                    FROM unnest($1::text[], {Arrays(all, first: 2)}) AS i(row_id, {allColumns})
                    WHERE t.ctid = i.row_id::tid AND {keyMatch};
                    """);
        }

        /// <summary>The parameters <c>$first</c>, <c>$first+1</c>, … as arrays of the columns' types, for <c>unnest</c>.</summary>
        private static string Arrays((string Column, string Type)[] columns, int first) =>
            string.Join(", ", columns.Select((c, n) => $"${n + first}::{c.Type}[]"));
    }

    private SketchStatements RequestRollupStatements => _requestRollupStatements ??= SketchStatements.For(RequestRollupTable, S);

    private SketchStatements EventRollupStatements => _eventRollupStatements ??= SketchStatements.For(EventRollupTable, S);

    /// <summary>
    /// Adds rows to a sketch table: locks the rows that exist, merges their stored sketches with the batch's and
    /// updates them, then inserts the rows that are new, all in the batch's transaction.
    /// </summary>
    private async Task UpsertSketchRowsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        SketchStatements statements,
        List<SketchRow> rows,
        CancellationToken cancellationToken)
    {
        var table = statements.Table;
        var pending = rows;
        for (int round = 1; pending.Count > 0; round++)
        {
            if (round > MaxMergeRounds)
            {
                throw new InvalidOperationException(
                    $"Rows of {table.Name} kept appearing and disappearing between lock and insert; " +
                    "the batch is retried.");
            }

            // 1. Lock the rows that exist and read their sketches; other writers of these rows wait from here to commit.
            //    In steady state (a minute's second batch onwards) this finds every row, and the batch is two statements.
            var stored = new Dictionary<long, (string Row, byte[]?[] Sketches)>();
            await using (var command = new NpgsqlCommand(statements.Lock, connection, transaction))
            {
                AddColumns(command, table, pending, withValues: false, sketches: null);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var sketches = new byte[]?[table.Sketches.Length];
                    for (int c = 0; c < sketches.Length; c++)
                    {
                        sketches[c] = reader.IsDBNull(c + 2) ? null : reader.GetFieldValue<byte[]>(c + 2);
                    }

                    stored[reader.GetInt64(0)] = (reader.GetString(1), sketches);
                }
            }

            // 2. Add to them, with the sketches merged.
            if (stored.Count > 0)
            {
                var found = new List<SketchRow>(stored.Count);
                var rowIds = new string[stored.Count];
                var merged = new byte[]?[stored.Count][];
                for (int n = 0; n < pending.Count; n++)
                {
                    if (stored.TryGetValue(n + 1, out var s))
                    {
                        rowIds[found.Count] = s.Row;
                        merged[found.Count] = pending[n].Sketches.Select((added, c) => MergeStored(s.Sketches[c], added)).ToArray();
                        found.Add(pending[n]);
                    }
                }

                await using var command = new NpgsqlCommand(statements.Update, connection, transaction);
                command.Parameters.Add(new NpgsqlParameter { Value = rowIds });
                AddColumns(command, table, found, withValues: true, sketches: merged);
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != found.Count)
                {
                    throw new InvalidOperationException($"Rows of {table.Name} locked by this batch were not all updated; the batch is retried.");
                }
            }

            var missing = pending.Where((_, n) => !stored.ContainsKey(n + 1)).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            // 3. Insert the rest. ON CONFLICT DO NOTHING waits for another instance's insert of the same key to commit or
            //    roll back; a key it inserted meanwhile is not returned, and goes round again to be locked and added to.
            var inserted = new HashSet<long>();
            await using (var command = new NpgsqlCommand(statements.Insert, connection, transaction))
            {
                AddColumns(command, table, missing, withValues: true, sketches: missing.Select(r => r.Sketches.Select(Encode).ToArray()).ToArray());
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    inserted.Add(reader.GetInt64(0));
                }
            }

            pending = missing.Where((_, n) => !inserted.Contains(n + 1)).ToList();
        }
    }

    /// <summary>The stored sketch with the batch's merged in, encoded (see <see cref="StoreRows.MergeIntoStored"/>).</summary>
    private static byte[]? MergeStored(byte[]? stored, object? added) => (stored, added) switch
    {
        (null, _) or (_, null) => stored ?? Encode(added),
        (_, LatencySketch latency) => StoreRows.MergeIntoStored(stored, latency),
        _ => MergeCardinality(stored, (CardinalitySketch)added),
    };

    /// <summary>
    /// As <see cref="StoreRows.MergeCardinalityIntoStored"/>, but merges the batch's sketch as it is in memory: encoding it
    /// only to decode it again cost an encode and a decode per row and sketch column (issue 26).
    /// </summary>
    private static byte[] MergeCardinality(byte[] stored, CardinalitySketch added)
    {
        CardinalitySketch sketch;
        try
        {
            sketch = CardinalitySketch.FromBytes(stored);
        }
        catch (FormatException)
        {
            return added.ToBytes(); // a damaged stored sketch is replaced by the batch's
        }

        sketch.Merge(added);
        return sketch.ToBytes();
    }

    private static void AddColumns(NpgsqlCommand command, SketchTable table, List<SketchRow> rows, bool withValues, byte[]?[][]? sketches)
    {
        for (int c = 0; c < table.Keys.Length; c++)
        {
            command.Parameters.Add(Column(table.Keys[c].Type, rows, r => r.Key[c]));
        }

        if (withValues)
        {
            for (int c = 0; c < table.Values.Length; c++)
            {
                command.Parameters.Add(Column(table.Values[c].Type, rows, r => r.Values[c]));
            }
        }

        if (sketches is not null)
        {
            for (int c = 0; c < table.Sketches.Length; c++)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = sketches.Select(s => s[c]).ToArray() });
            }
        }
    }

    private static NpgsqlParameter Column(string type, List<SketchRow> rows, Func<SketchRow, object> value) => type switch
    {
        "smallint" => new NpgsqlParameter { Value = rows.Select(r => (short)value(r)).ToArray() },
        "integer" => new NpgsqlParameter { Value = rows.Select(r => (int)value(r)).ToArray() },
        "bigint" => new NpgsqlParameter { Value = rows.Select(r => (long)value(r)).ToArray() },
        _ => new NpgsqlParameter { Value = rows.Select(r => (string)value(r)).ToArray() },
    };
}
