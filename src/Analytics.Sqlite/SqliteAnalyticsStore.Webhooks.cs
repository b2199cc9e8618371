using Analytics.Sql;
using Analytics.Storage;
using Microsoft.Data.Sqlite;

namespace Analytics.Sqlite;

/// <summary>The webhook side: subscriptions, the outbox (written with batches, claimed with a lease) and the deliveries log.</summary>
internal sealed partial class SqliteAnalyticsStore : IWebhookStore
{
    private const string SubscriptionColumns = "id, url, event_types, event_names, enabled, disabled_reason, secrets, source, format, created_at";
    private const string OutboxColumns = StoreRows.OutboxColumns;
    private const string AttemptColumns = StoreRows.AttemptColumns;

    public Task<IReadOnlyList<WebhookSubscription>> ListWebhookSubscriptionsAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SubscriptionColumns} FROM webhook_subscriptions ORDER BY id;", [], ReadSubscription, cancellationToken);

    public async Task<WebhookSubscription?> GetWebhookSubscriptionAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync(
            $"SELECT {SubscriptionColumns} FROM webhook_subscriptions WHERE id = $id;",
            [("$id", id)],
            ReadSubscription,
            cancellationToken).ConfigureAwait(false))
        .FirstOrDefault();

    public Task<bool> AddWebhookSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return ExecuteAsync(
            $"INSERT INTO webhook_subscriptions ({SubscriptionColumns}) VALUES " +
            "($id, $url, $event_types, $event_names, $enabled, $disabled_reason, $secrets, $source, $format, $created_at) " +
            "ON CONFLICT (id) DO NOTHING;",
            SubscriptionParameters(subscription),
            cancellationToken);
    }

    public Task<bool> UpdateWebhookSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return ExecuteAsync(
            """
            UPDATE webhook_subscriptions SET url = $url, event_types = $event_types, event_names = $event_names, enabled = $enabled,
                disabled_reason = $disabled_reason, secrets = $secrets, source = $source, format = $format
            WHERE id = $id;
            """,
            SubscriptionParameters(subscription),
            cancellationToken);
    }

    public Task<bool> DeleteWebhookSubscriptionAsync(string id, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "DELETE FROM webhook_attempts WHERE subscription_id = $id; DELETE FROM webhook_subscriptions WHERE id = $id;",
            [("$id", id)],
            cancellationToken);

    public Task EnqueueWebhookMessagesAsync(IReadOnlyList<WebhookMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return WithWriterAsync(writer =>
        {
            using var transaction = writer.Connection.BeginTransaction();
            writer.InsertOutbox(transaction, messages);
            transaction.Commit();
            return 0;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<WebhookMessage>> ClaimWebhookMessagesAsync(
        DateTimeOffset now,
        DateTimeOffset leaseUntil,
        int maxMessages,
        CancellationToken cancellationToken) =>
        ClaimWebhookMessagesAsync(new WebhookClaimRequest { Now = now, LeaseUntil = leaseUntil, MaxMessages = maxMessages }, cancellationToken);

    public Task<IReadOnlyList<WebhookMessage>> ClaimWebhookMessagesAsync(WebhookClaimRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxMessages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.MaxPerSubscription);
        return WithWriterAsync<IReadOnlyList<WebhookMessage>>(writer =>
        {
            // Each due message is numbered within its subscription, oldest first, after the ones the dispatcher still has
            // in flight; those numbered past the limit stay where they are. The numbering reads every due row, which the
            // partial index on due messages keeps to the pending ones whose time has come.
            using var command = writer.Connection.CreateCommand();
            command.CommandText = $"""
                UPDATE webhook_outbox SET next_attempt_at = $lease, claim_token = claim_token + 1
                WHERE id IN (
                    SELECT id FROM (
                        SELECT o.id, o.next_attempt_at, coalesce(busy.value, 0)
                            + row_number() OVER (PARTITION BY o.subscription_id ORDER BY o.next_attempt_at, o.id) AS slot
                        FROM webhook_outbox o LEFT JOIN json_each($in_flight) busy ON busy.key = o.subscription_id
                        WHERE o.state = 0 AND o.next_attempt_at <= $now)
                    WHERE slot <= $per_subscription
                    ORDER BY next_attempt_at LIMIT $limit)
                RETURNING {OutboxColumns};
                """;
            command.Parameters.AddWithValue("$lease", ToUnixMicroseconds(request.LeaseUntil));
            command.Parameters.AddWithValue("$now", ToUnixMicroseconds(request.Now));
            command.Parameters.AddWithValue("$limit", request.MaxMessages);
            command.Parameters.AddWithValue("$per_subscription", request.MaxPerSubscription);
            command.Parameters.AddWithValue("$in_flight", InFlightJson(request.InFlight));
            var messages = new List<WebhookMessage>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                messages.Add(StoreRows.ReadMessage(reader));
            }

            // RETURNING yields rows in no promised order; hand them out oldest due first all the same.
            return [.. messages.OrderBy(m => m.CreatedAt)];
        }, cancellationToken);
    }

    public Task CompleteWebhookMessageAsync(WebhookMessage message, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken) =>
        TryCompleteWebhookMessageAsync(message, attempts, cancellationToken);

    public Task<bool> TryCompleteWebhookMessageAsync(
        WebhookMessage message,
        IReadOnlyList<WebhookAttempt> attempts,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(attempts);
        return WithWriterAsync(writer =>
        {
            using var transaction = writer.Connection.BeginTransaction();
            using (var update = writer.Connection.CreateCommand())
            {
                update.Transaction = transaction;
                update.CommandText = "UPDATE webhook_outbox SET next_attempt_at = $next, attempts = $attempts, " +
                    "deliveries = $deliveries, state = $state WHERE id = $id AND claim_token = $claim_token;";
                update.Parameters.AddWithValue("$next", ToUnixMicroseconds(message.NextAttemptAt));
                update.Parameters.AddWithValue("$attempts", message.Attempts);
                update.Parameters.AddWithValue("$deliveries", message.Deliveries);
                update.Parameters.AddWithValue("$state", (int)message.State);
                update.Parameters.AddWithValue("$id", message.Id);
                update.Parameters.AddWithValue("$claim_token", message.ClaimToken);
                if (update.ExecuteNonQuery() == 0)
                {
                    return false; // claimed again since (or gone): the transaction rolls back untouched
                }
            }

            foreach (var a in attempts)
            {
                using var insert = writer.Connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO webhook_attempts ({AttemptColumns[4..]}) " +
                    "VALUES ($message_id, $subscription_id, $event_type, $attempt, $ts, " +
                    "$duration_us, $status, $response, $error);";
                insert.Parameters.AddWithValue("$message_id", a.MessageId);
                insert.Parameters.AddWithValue("$subscription_id", a.SubscriptionId);
                insert.Parameters.AddWithValue("$event_type", a.EventType);
                insert.Parameters.AddWithValue("$attempt", a.Attempt);
                insert.Parameters.AddWithValue("$ts", ToUnixMicroseconds(a.Time));
                insert.Parameters.AddWithValue("$duration_us", a.Duration.Ticks / TimeSpan.TicksPerMicrosecond);
                insert.Parameters.AddWithValue("$status", (object?)a.StatusCode ?? DBNull.Value);
                insert.Parameters.AddWithValue("$response", (object?)a.Response ?? DBNull.Value);
                insert.Parameters.AddWithValue("$error", (object?)a.Error ?? DBNull.Value);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public async Task<WebhookMessage?> GetWebhookMessageAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync(
            $"SELECT {OutboxColumns} FROM webhook_outbox WHERE id = $id;",
            [("$id", id)],
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
            $"SELECT {AttemptColumns} FROM webhook_attempts WHERE subscription_id = $subscription AND id < $before ORDER BY id DESC LIMIT $limit;",
            [("$subscription", subscriptionId), ("$before", before ?? long.MaxValue), ("$limit", limit)],
            StoreRows.ReadAttempt,
            cancellationToken);
    }

    public Task<int> PurgeWebhooksAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        long before = ToUnixMicroseconds(cutoff);
        return WithWriterAsync(
            writer =>
            {
                var deleted = writer.Purge(["webhook_outbox"], "state <> 0 AND created_at < $cutoff", before, null, maxRows);
                return deleted < maxRows ? deleted + writer.Purge(["webhook_attempts"], "ts < $cutoff", before, null, maxRows - deleted) : deleted;
            },
            cancellationToken);
    }

    private static (string, object?)[] SubscriptionParameters(WebhookSubscription s) =>
    [
        ("$id", s.Id), ("$url", s.Url), ("$event_types", JoinLines(s.EventTypes)), ("$event_names", JoinLines(s.EventNames)),
        ("$enabled", s.Enabled ? 1 : 0), ("$disabled_reason", s.DisabledReason), ("$secrets", JoinLines(s.Secrets)),
        ("$source", (int)s.Source), ("$format", (int)s.Format), ("$created_at", ToUnixMicroseconds(s.CreatedAt)),
    ];

    private static WebhookSubscription ReadSubscription(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Url = reader.GetString(1),
        EventTypes = SplitLines(reader.GetString(2)),
        EventNames = SplitLines(reader.GetString(3)),
        Enabled = reader.GetInt64(4) != 0,
        DisabledReason = StoreRows.GetStringOrNull(reader, 5),
        Secrets = SplitLines(reader.GetString(6)),
        Source = (DefinitionSource)reader.GetInt32(7),
        Format = (WebhookFormat)reader.GetInt32(8),
        CreatedAt = FromUnixMicroseconds(reader.GetInt64(9)),
    };

    /// <summary>Writes the in-flight counts as the JSON object <c>json_each</c> reads: subscription id to count.</summary>
    private static string InFlightJson(IReadOnlyDictionary<string, int> inFlight)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (subscription, count) in inFlight)
            {
                json.WriteNumber(subscription, count);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string JoinLines(IReadOnlyList<string> items) => string.Join('\n', items);

    private static string[] SplitLines(string text) => text.Length == 0 ? [] : text.Split('\n');

    /// <summary>Runs a statement on the writer; true when it changed a row.</summary>
    private Task<bool> ExecuteAsync(string sql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken) =>
        WithWriterAsync(writer =>
        {
            using var transaction = writer.Connection.BeginTransaction();
            using var command = writer.Connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            var changed = command.ExecuteNonQuery() > 0;
            transaction.Commit();
            return changed;
        }, cancellationToken);

    /// <summary>Runs a query on a reader connection and maps every row.</summary>
    private async Task<IReadOnlyList<T>> QueryAsync<T>(
        string sql,
        (string Name, object? Value)[] parameters,
        Func<SqliteDataReader, T> map,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
