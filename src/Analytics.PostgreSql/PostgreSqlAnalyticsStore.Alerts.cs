using Analytics.Sql;
using Analytics.Storage;
using Npgsql;

namespace Analytics.PostgreSql;

/// <summary>The alerting side: rules with their state, and the history of their changes.</summary>
internal sealed partial class PostgreSqlAnalyticsStore : IAlertStore
{
    private const string RuleColumns = StoreRows.RuleColumns;
    private const string HistoryColumns = StoreRows.HistoryColumns;

    public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {RuleColumns} FROM {S}.alert_rules ORDER BY id COLLATE \"C\";", [], StoreRows.ReadRule, cancellationToken);

    public async Task<AlertRule?> GetAlertRuleAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync(
            $"SELECT {RuleColumns} FROM {S}.alert_rules WHERE id = $1;",
            [Text(id)],
            StoreRows.ReadRule,
            cancellationToken).ConfigureAwait(false))
        .FirstOrDefault();

    public Task<bool> AddAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return ExecuteAsync(
            $"INSERT INTO {S}.alert_rules ({RuleColumns}) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (id) DO NOTHING;",
            RuleParameters(rule),
            cancellationToken);
    }

    public Task<bool> UpdateAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return ExecuteAsync(
            $"""
            UPDATE {S}.alert_rules SET name = $2, metric = $3, route = $4, method = $5, event_name = $6, window_us = $7, operator = $8,
                threshold = $9, enabled = $10, source = $11, firing = $12, firing_changed_at = $13, last_value = $14,
                slo = $15, check_name = $16
            WHERE id = $1;
            """,
            RuleParameters(rule),
            cancellationToken);
    }

    public Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken) =>
        ExecuteAsync($"DELETE FROM {S}.alert_rules WHERE id = $1;", [Text(id)], cancellationToken);

    public async Task<bool> RecordAlertTransitionAsync(
        AlertTransition transition,
        IReadOnlyList<WebhookMessage> messages,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(messages);
        var rule = transition.Rule;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var update = new NpgsqlCommand(
            $"UPDATE {S}.alert_rules SET firing = $1, firing_changed_at = $2, last_value = $3 WHERE id = $4 AND firing <> $1;",
            connection,
            transaction))
        {
            // The row lock this takes makes a second evaluator wait, then find the state already changed.
            AddValues(update, [transition.Triggered, Micros(transition.Time), transition.Value, Text(rule.Id)]);
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false; // gone, or another evaluator got there first: the transaction rolls back on dispose
            }
        }

        await using (var insert = new NpgsqlCommand(
            $"""
            INSERT INTO {S}.alert_history ({HistoryColumns[4..]})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14);
            """,
            connection,
            transaction))
        {
            AddValues(insert, [
                Text(rule.Id), Text(rule.Name), (int)rule.Metric, Text(rule.Route), Text(rule.Method), Text(rule.EventName), Micros(rule.Window),
                (int)rule.Operator, rule.Threshold, transition.Triggered, transition.Value, Micros(transition.WindowStart),
                Micros(transition.WindowEnd), Micros(transition.Time)]);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await InsertOutboxAsync(connection, transaction, messages, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<IReadOnlyList<AlertTransition>> ReadAlertHistoryAsync(string? ruleId, int limit, long? before, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return QueryAsync(
            $"SELECT {HistoryColumns} FROM {S}.alert_history WHERE ($1::text IS NULL OR rule_id = $1) AND id < $2 ORDER BY id DESC LIMIT $3;",
            [Text(ruleId), before ?? long.MaxValue, limit],
            StoreRows.ReadTransition,
            cancellationToken);
    }

    private static object?[] RuleParameters(AlertRule r) =>
    [
        Text(r.Id), Text(r.Name), (int)r.Metric, Text(r.Route), Text(r.Method), Text(r.EventName), Micros(r.Window), (int)r.Operator,
        r.Threshold, r.Enabled, (int)r.Source, r.Firing, r.FiringChangedAt is { } changed ? Micros(changed) : null, r.LastValue,
        Text(r.Slo), Text(r.Check),
    ];
}
