using System.Text.RegularExpressions;
using Analytics.Sql;
using Analytics.Storage;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>
/// The PostgreSQL store, shared by every instance of an app. Each batch is one transaction on a pooled connection: raw
/// rows by binary COPY, rollups added to the rows other instances write too (counts in SQL, sketches merged under the
/// row's lock). Migrations, the webhook outbox and the cluster's leader are coordinated in the database itself, with
/// advisory locks and <c>FOR UPDATE SKIP LOCKED</c>.
/// </summary>
internal sealed partial class PostgreSqlAnalyticsStore : IAnalyticsStore, IRequestCountStore, IClusterLeadership, IAsyncDisposable, IDisposable
{
    /// <summary>The schema the store's tables live in unless another is given.</summary>
    public const string DefaultSchema = "analytics";

    // How much longer than the raw rows the ids of written batches are kept: far longer than the writer retries a batch
    // (WriteBackoff.Default gives up after about four minutes), whatever the raw retention.
    private static readonly TimeSpan WrittenBatchesKeptLonger = TimeSpan.FromDays(1);

    private const string UnlockAll = "SELECT pg_advisory_unlock_all();";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _schemaName;
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private readonly SemaphoreSlim _leaderLock = new(1, 1);
    private NpgsqlConnection? _leaderConnection;
    private volatile bool _initialized;
    private volatile bool _disposed;

    public PostgreSqlAnalyticsStore(NpgsqlDataSource dataSource, bool ownsDataSource, string schema = DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ValidateSchemaName(schema, nameof(schema));
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schemaName = schema;
        S = PostgreSqlSchema.Quote(schema);
    }

    /// <summary>Gets the schema's name as it appears in SQL: quoted.</summary>
    internal string S { get; }

    /// <summary>Gets every capability: a PostgreSQL server is shared by the app's instances, which elect a leader through it.</summary>
    public StoreCapabilities Capabilities => field ??= new()
    {
        Errors = this, Alerts = this, Webhooks = this, HealthMetrics = this, RequestCounts = this, Leadership = this,
        Consumers = this, Uptime = this,
    };

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <paramref name="parameterName"/> unless
    /// <paramref name="schema"/> is a plain lower-case identifier.
    /// </summary>
    internal static void ValidateSchemaName(string? schema, string parameterName)
    {
        if (schema is null || !SchemaName().IsMatch(schema))
        {
            throw new ArgumentException(
                $"The PostgreSQL schema name '{schema}' is not valid: " +
                "use 1 to 63 lower-case letters, digits and underscores, starting with a letter or underscore.",
                parameterName);
        }
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initializeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_initialized)
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await PostgreSqlSchema.MigrateAsync(connection, _schemaName, cancellationToken).ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    public async Task<int> PurgeRawAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        var deleted = await PurgeAsync(["requests", "events"], "ts < $1", [Micros(cutoff)], maxRows, cancellationToken).ConfigureAwait(false);

        // Not counted: the ids are the store's own bookkeeping, and a pass that leaves some deletes them an hour later.
        await PurgeAsync(["written_batches"], "ts < $1", [Micros(cutoff - WrittenBatchesKeptLonger)], maxRows, cancellationToken)
            .ConfigureAwait(false);
        return deleted;
    }

    public async Task<int> PurgeRollupsAsync(Granularity granularity, DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        int deleted = await PurgeAsync(
            ["request_rollups", "consumer_rollups", "error_rollups", "event_rollups", "health_rollups"],
            "granularity = $2 AND bucket_start < $1",
            [Micros(cutoff), (short)granularity],
            maxRows,
            cancellationToken).ConfigureAwait(false);

        // Health-check samples are kept as long as the hour rollups (IUptimeStore).
        return granularity == Granularity.Hour && deleted < maxRows
            ? deleted + await PurgeAsync(["health_check_samples"], "ts < $1", [Micros(cutoff)], maxRows - deleted, cancellationToken)
                .ConfigureAwait(false)
            : deleted;
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {S}.schema_version;", connection);
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Disposes synchronously, for a service provider disposed that way; hosts use <see cref="DisposeAsync"/>. Never
    /// waits: if <see cref="IsLeaderAsync"/> is running, it sees the flag and lets go of the lead itself when it ends.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_leaderLock.Wait(0))
        {
            try
            {
                if (TakeLeaderConnection() is { } held)
                {
                    try
                    {
                        using var unlock = new NpgsqlCommand(UnlockAll, held);
                        unlock.ExecuteNonQuery();
                    }
                    catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
                    {
                        // the session is gone, and its locks with it
                    }

                    held.Dispose();
                }
            }
            finally
            {
                _leaderLock.Release();
            }
        }

        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _leaderLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await LetGoOfLeadAsync().ConfigureAwait(false);
        }
        finally
        {
            _leaderLock.Release();
        }

        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static long Micros(DateTimeOffset value) => StoreRows.ToUnixMicroseconds(value);

    internal static long Micros(TimeSpan value) => value.Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// PostgreSQL text cannot hold U+0000, which a posted event may carry, nor half a surrogate pair, which an
    /// application's exception message may; either is stored as U+FFFD rather than failing the whole batch.
    /// </summary>
    internal static string? Text(string? value)
    {
        if (value is null || (!value.Contains('\0', StringComparison.Ordinal) && !HasLoneSurrogate(value)))
        {
            return value;
        }

        return string.Create(value.Length, value, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                if (char.IsHighSurrogate(c) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]))
                {
                    chars[i] = c;
                    chars[++i] = source[i];
                }
                else
                {
                    chars[i] = c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c;
                }
            }
        });
    }

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = text.IndexOfAnyInRange('\uD800', '\uDFFF'); i >= 0;)
        {
            if (!char.IsHighSurrogate(text[i]) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
            {
                return true;
            }

            var next = text[(i + 2)..].IndexOfAnyInRange('\uD800', '\uDFFF');
            i = next < 0 ? -1 : i + 2 + next;
        }

        return false;
    }

    /// <summary>Opens a pooled connection, creating or migrating the schema first if this store has not yet.</summary>
    internal async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes up to <paramref name="maxRows"/> rows matching <paramref name="where"/>, table by table, in one transaction.</summary>
    private async Task<int> PurgeAsync(string[] tables, string where, object[] values, int maxRows, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int deleted = 0;
        foreach (var table in tables)
        {
            if (deleted >= maxRows)
            {
                break;
            }

            await using var command = new NpgsqlCommand(
                $"DELETE FROM {S}.{table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM {S}.{table} WHERE {where} LIMIT {maxRows - deleted}));",
                connection,
                transaction);
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            deleted += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
