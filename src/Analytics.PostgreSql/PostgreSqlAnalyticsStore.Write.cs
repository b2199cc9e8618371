using Analytics.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Analytics.PostgreSql;

/// <summary>
/// The write side. A batch is one transaction: its id first (a retry of a batch that did commit writes nothing), raw
/// rows by binary COPY, then the rollups (see the Rollups part; per-consumer ones in the Consumers part), then the webhook outbox.
/// </summary>
internal sealed partial class PostgreSqlAnalyticsStore
{
    public async Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await ClaimBatchAsync(connection, transaction, batch.Id, cancellationToken).ConfigureAwait(false))
        {
            return; // committed by an earlier attempt whose acknowledgement was lost: the rollback writes nothing
        }

        if (batch.Requests.Count > 0)
        {
            await CopyRequestsAsync(connection, batch.Requests, cancellationToken).ConfigureAwait(false);
        }

        if (batch.Events.Count > 0)
        {
            await CopyEventsAsync(connection, batch.Events, cancellationToken).ConfigureAwait(false);
        }

        if (batch.RequestRollups.Count > 0)
        {
            await UpsertSketchRowsAsync(
                connection,
                transaction,
                RequestRollupStatements,
                RequestRollupRows(batch.RequestRollups, perConsumer: false),
                cancellationToken).ConfigureAwait(false);
        }

        if (batch.ConsumerRollups.Count > 0)
        {
            await UpsertSketchRowsAsync(
                connection,
                transaction,
                ConsumerRollupStatements,
                RequestRollupRows(batch.ConsumerRollups, perConsumer: true),
                cancellationToken).ConfigureAwait(false);
        }

        if (batch.ErrorRollups.Count > 0)
        {
            await UpsertErrorRollupsAsync(connection, transaction, batch.ErrorRollups, cancellationToken).ConfigureAwait(false);
            await UpsertErrorGroupsAsync(connection, transaction, batch.ErrorGroups, cancellationToken).ConfigureAwait(false);
        }

        if (batch.EventRollups.Count > 0)
        {
            await UpsertSketchRowsAsync(
                connection,
                transaction,
                EventRollupStatements,
                EventRollupRows(batch.EventRollups),
                cancellationToken).ConfigureAwait(false);
        }

        await InsertOutboxAsync(connection, transaction, batch.WebhookMessages, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records the batch's id in its transaction; <see langword="false"/> when a committed transaction already did. An
    /// attempt still running on a broken connection holds the id's index entry, so this waits for its outcome.
    /// </summary>
    private async Task<bool> ClaimBatchAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Guid id,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            // The server's clock: only retention reads it, a day after the raw rows of the same time.
            $"INSERT INTO {S}.written_batches (id, ts) VALUES ($1, (extract(epoch FROM now()) * 1000000)::bigint) " +
            "ON CONFLICT (id) DO NOTHING;",
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Adds webhook messages to the outbox within <paramref name="transaction"/>, in one statement.</summary>
    internal async Task InsertOutboxAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        IReadOnlyList<WebhookMessage> messages,
        CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            $"INSERT INTO {S}.webhook_outbox " +
            "(id, subscription_id, event_type, payload, created_at, next_attempt_at, attempts, deliveries, state)\n" +
            "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bigint[], $6::bigint[], " +
            "$7::integer[], $8::integer[], $9::integer[]);",
            connection,
            transaction);
        AddArray(command, messages, m => m.Id);
        AddArray(command, messages, m => m.SubscriptionId);
        AddArray(command, messages, m => m.EventType);
        AddArray(command, messages, m => m.Payload);
        AddArray(command, messages, m => Micros(m.CreatedAt));
        AddArray(command, messages, m => Micros(m.NextAttemptAt));
        AddArray(command, messages, m => m.Attempts);
        AddArray(command, messages, m => m.Deliveries);
        AddArray(command, messages, m => (int)m.State);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddArray<TRow, TValue>(NpgsqlCommand command, IReadOnlyList<TRow> rows, Func<TRow, TValue> value)
    {
        var array = new TValue[rows.Count];
        for (int i = 0; i < array.Length; i++)
        {
            array[i] = value(rows[i]);
        }

        command.Parameters.Add(new NpgsqlParameter { Value = array });
    }

    private async Task CopyRequestsAsync(NpgsqlConnection connection, IReadOnlyList<RequestRecord> requests, CancellationToken cancellationToken)
    {
        var import = await connection.BeginBinaryImportAsync(
            $"COPY {S}.requests ({RequestColumns[4..]}) FROM STDIN (FORMAT BINARY)",
            cancellationToken).ConfigureAwait(false);
        await using (import.ConfigureAwait(false))
        {
            foreach (var r in requests)
            {
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(Micros(r.Timestamp), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.Method, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.Route, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.Path, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(r.StatusCode, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(Micros(r.Duration), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(r.RequestBytes, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(r.ResponseBytes, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.ClientIp, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.UserAgent, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.Protocol, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync((int)r.Kind, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.TraceId, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.UserId, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.Environment, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.Instance, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.ExceptionType, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.ExceptionMessage, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.StackTrace, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.ErrorFingerprint, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.Consumer, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, r.Release, cancellationToken).ConfigureAwait(false);
            }

            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CopyEventsAsync(NpgsqlConnection connection, IReadOnlyList<EventRecord> events, CancellationToken cancellationToken)
    {
        var import = await connection.BeginBinaryImportAsync(
            $"COPY {S}.events ({EventColumns[4..]}) FROM STDIN (FORMAT BINARY)",
            cancellationToken).ConfigureAwait(false);
        await using (import.ConfigureAwait(false))
        {
            foreach (var e in events)
            {
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(Micros(e.Timestamp), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, e.Name, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, e.UserId, cancellationToken).ConfigureAwait(false);
                if (e.Duration is { } duration)
                {
                    await import.WriteAsync(Micros(duration), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }

                if (e.Success is { } success)
                {
                    await import.WriteAsync(success, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }

                await WriteTextAsync(import, e.PropertiesJson, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, e.Environment, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, e.Instance, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, e.Consumer, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(import, e.Release, cancellationToken).ConfigureAwait(false);
            }

            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static ValueTask WriteTextAsync(NpgsqlBinaryImporter import, string? value, CancellationToken cancellationToken) =>
        value is null
            ? new ValueTask(import.WriteNullAsync(cancellationToken))
            : new ValueTask(import.WriteAsync(Text(value)!, NpgsqlDbType.Text, cancellationToken));
}
