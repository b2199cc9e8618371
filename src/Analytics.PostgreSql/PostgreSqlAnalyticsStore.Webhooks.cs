using Analytics.Sql;
using Analytics.Storage;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>
/// The webhook side: subscriptions, the outbox (written with batches, claimed with a lease) and the deliveries log.
/// A claim skips the rows another instance's dispatcher has locked, so no message is sent twice at once.
/// </summary>
internal sealed partial class PostgreSqlAnalyticsStore : IWebhookStore
{
    private const string SubscriptionColumns = "id, url, event_types, event_names, enabled, disabled_reason, secrets, source, format, created_at";
    private const string OutboxColumns = StoreRows.OutboxColumns;
    private const string AttemptColumns = StoreRows.AttemptColumns;

    public Task<IReadOnlyList<WebhookSubscription>> ListWebhookSubscriptionsAsync(CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {SubscriptionColumns} FROM {S}.webhook_subscriptions ORDER BY id COLLATE \"C\";",
            [],
            ReadSubscription,
            cancellationToken);

    public async Task<WebhookSubscription?> GetWebhookSubscriptionAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync(
            $"SELECT {SubscriptionColumns} FROM {S}.webhook_subscriptions WHERE id = $1;",
            [Text(id)],
            ReadSubscription,
            cancellationToken).ConfigureAwait(false))
        .FirstOrDefault();

    public Task<bool> AddWebhookSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return ExecuteAsync(
            $"INSERT INTO {S}.webhook_subscriptions ({SubscriptionColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) " +
            "ON CONFLICT (id) DO NOTHING;",
            SubscriptionParameters(subscription),
            cancellationToken);
    }

    public Task<bool> UpdateWebhookSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return ExecuteAsync(
            $"UPDATE {S}.webhook_subscriptions SET url = $2, event_types = $3, event_names = $4, enabled = $5, " +
            "disabled_reason = $6, secrets = $7, source = $8, format = $9\n" +
            "WHERE id = $1;",
            SubscriptionParameters(subscription)[..9],
            cancellationToken);
    }

    public async Task<bool> DeleteWebhookSubscriptionAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync(
            $"""
            WITH gone AS (DELETE FROM {S}.webhook_subscriptions WHERE id = $1 RETURNING id),
            log AS (DELETE FROM {S}.webhook_attempts WHERE subscription_id = $1)
            SELECT count(*) FROM gone;
            """,
            [Text(id)],
            reader => reader.GetInt64(0),
            cancellationToken).ConfigureAwait(false))[0] > 0;

    public async Task EnqueueWebhookMessagesAsync(IReadOnlyList<WebhookMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await InsertOutboxAsync(connection, transaction, messages, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<WebhookMessage>> ClaimWebhookMessagesAsync(
        DateTimeOffset now,
        DateTimeOffset leaseUntil,
        int maxMessages,
        CancellationToken cancellationToken) =>
        ClaimWebhookMessagesAsync(new WebhookClaimRequest { Now = now, LeaseUntil = leaseUntil, MaxMessages = maxMessages }, cancellationToken);

    public async Task<IReadOnlyList<WebhookMessage>> ClaimWebhookMessagesAsync(WebhookClaimRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxMessages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxPerSubscription);

        // Each due message is numbered within its subscription, oldest first, after the ones this dispatcher still has in
        // flight; those numbered past the limit stay where they are. The locking select repeats the due condition, so a
        // row another instance claimed after this statement's snapshot is re-checked on its new version and left alone.
        var inFlight = request.InFlight.ToArray();
        var messages = await QueryAsync(
            $"""
            UPDATE {S}.webhook_outbox SET next_attempt_at = $1, claim_token = claim_token + 1
            WHERE id IN (
                SELECT id FROM {S}.webhook_outbox
                WHERE state = 0 AND next_attempt_at <= $2 AND id IN (
                    SELECT id FROM (
                        SELECT o.id, coalesce(busy.n, 0)
                            + row_number() OVER (PARTITION BY o.subscription_id ORDER BY o.next_attempt_at, o.id) AS slot
                        FROM {S}.webhook_outbox o
                        LEFT JOIN unnest($5::text[], $6::integer[]) AS busy(subscription_id, n) ON busy.subscription_id = o.subscription_id
                        WHERE o.state = 0 AND o.next_attempt_at <= $2) ranked
                    WHERE slot <= $4)
                ORDER BY next_attempt_at LIMIT $3
                FOR UPDATE SKIP LOCKED)
            RETURNING {OutboxColumns};
            """,
            [
                Micros(request.LeaseUntil), Micros(request.Now), request.MaxMessages, request.MaxPerSubscription,
                inFlight.Select(p => Text(p.Key)!).ToArray(), inFlight.Select(p => p.Value).ToArray(),
            ],
            StoreRows.ReadMessage,
            cancellationToken).ConfigureAwait(false);

        // RETURNING yields rows in no promised order; hand them out oldest first all the same.
        return [.. messages.OrderBy(m => m.CreatedAt)];
    }

    public Task CompleteWebhookMessageAsync(WebhookMessage message, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken) =>
        TryCompleteWebhookMessageAsync(message, attempts, cancellationToken);

    public async Task<bool> TryCompleteWebhookMessageAsync(
        WebhookMessage message,
        IReadOnlyList<WebhookAttempt> attempts,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(attempts);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var update = new NpgsqlCommand(
            $"UPDATE {S}.webhook_outbox SET next_attempt_at = $1, attempts = $2, deliveries = $3, state = $4 WHERE id = $5 AND claim_token = $6;",
            connection,
            transaction))
        {
            AddValues(update, [
                Micros(message.NextAttemptAt), message.Attempts, message.Deliveries, (int)message.State, Text(message.Id), message.ClaimToken]);
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false; // claimed again since (or gone): the transaction rolls back untouched
            }
        }

        if (attempts.Count > 0)
        {
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {S}.webhook_attempts ({AttemptColumns[4..]})\n" +
                "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::bigint[], $6::bigint[], " +
                "$7::integer[], $8::text[], $9::text[]);",
                connection,
                transaction);
            AddArray(insert, attempts, a => Text(a.MessageId));
            AddArray(insert, attempts, a => Text(a.SubscriptionId));
            AddArray(insert, attempts, a => Text(a.EventType));
            AddArray(insert, attempts, a => a.Attempt);
            AddArray(insert, attempts, a => Micros(a.Time));
            AddArray(insert, attempts, a => Micros(a.Duration));
            AddArray(insert, attempts, a => a.StatusCode);
            AddArray(insert, attempts, a => Text(a.Response));
            AddArray(insert, attempts, a => Text(a.Error));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<WebhookMessage?> GetWebhookMessageAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync(
            $"SELECT {OutboxColumns} FROM {S}.webhook_outbox WHERE id = $1;",
            [Text(id)],
            StoreRows.ReadMessage,
            cancellationToken).ConfigureAwait(false))
        .FirstOrDefault();

    public Task<IReadOnlyList<WebhookAttempt>> ReadWebhookAttemptsAsync(
        string subscriptionId,
        int limit,
        long? before,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return QueryAsync(
            $"SELECT {AttemptColumns} FROM {S}.webhook_attempts WHERE subscription_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3;",
            [Text(subscriptionId), before ?? long.MaxValue, limit],
            StoreRows.ReadAttempt,
            cancellationToken);
    }

    public async Task<int> PurgeWebhooksAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        var deleted = await PurgeAsync(
            ["webhook_outbox"],
            "state <> 0 AND created_at < $1",
            [Micros(cutoff)],
            maxRows,
            cancellationToken).ConfigureAwait(false);
        return deleted < maxRows
            ? deleted + await PurgeAsync(
                ["webhook_attempts"],
                "ts < $1",
                [Micros(cutoff)],
                maxRows - deleted,
                cancellationToken).ConfigureAwait(false)
            : deleted;
    }

    private static object?[] SubscriptionParameters(WebhookSubscription s) =>
    [
        Text(s.Id), Text(s.Url), s.EventTypes.Select(t => Text(t)!).ToArray(), s.EventNames.Select(t => Text(t)!).ToArray(), s.Enabled,
        Text(s.DisabledReason), s.Secrets.Select(t => Text(t)!).ToArray(), (int)s.Source, (int)s.Format, Micros(s.CreatedAt),
    ];

    private static WebhookSubscription ReadSubscription(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Url = reader.GetString(1),
        EventTypes = reader.GetFieldValue<string[]>(2),
        EventNames = reader.GetFieldValue<string[]>(3),
        Enabled = reader.GetBoolean(4),
        DisabledReason = StoreRows.GetStringOrNull(reader, 5),
        Secrets = reader.GetFieldValue<string[]>(6),
        Source = (DefinitionSource)reader.GetInt32(7),
        Format = (WebhookFormat)reader.GetInt32(8),
        CreatedAt = StoreRows.FromUnixMicroseconds(reader.GetInt64(9)),
    };

    private static void AddValues(NpgsqlCommand command, object?[] values)
    {
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
    }

    /// <summary>Runs one statement; true when it changed a row.</summary>
    private async Task<bool> ExecuteAsync(string sql, object?[] values, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        AddValues(command, values);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>Runs a query on a pooled connection and maps every row.</summary>
    private async Task<IReadOnlyList<T>> QueryAsync<T>(
        string sql,
        object?[] values,
        Func<NpgsqlDataReader, T> map,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        AddValues(command, values);
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
