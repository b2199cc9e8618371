using Analytics.Sql;
using Analytics.Storage;

namespace Analytics.Sqlite;

/// <summary>The alerting side: rules with their state, and the history of their changes.</summary>
internal sealed partial class SqliteAnalyticsStore : IAlertStore
{
    private const string RuleColumns = StoreRows.RuleColumns;
    private const string HistoryColumns = StoreRows.HistoryColumns;

    public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {RuleColumns} FROM alert_rules ORDER BY id;", [], StoreRows.ReadRule, cancellationToken);

    public async Task<AlertRule?> GetAlertRuleAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync(
            $"SELECT {RuleColumns} FROM alert_rules WHERE id = $id;",
            [("$id", id)],
            StoreRows.ReadRule,
            cancellationToken).ConfigureAwait(false))
        .FirstOrDefault();

    public Task<bool> AddAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return ExecuteAsync(
            $"""
            INSERT INTO alert_rules ({RuleColumns}) VALUES ($id, $name, $metric, $route, $method, $event_name, $window_us, $operator,
                $threshold, $enabled, $source, $firing, $firing_changed_at, $last_value, $slo, $check_name)
            ON CONFLICT (id) DO NOTHING;
            """,
            RuleParameters(rule),
            cancellationToken);
    }

    public Task<bool> UpdateAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return ExecuteAsync(
            """
            UPDATE alert_rules SET name = $name, metric = $metric, route = $route, method = $method, event_name = $event_name,
                window_us = $window_us, operator = $operator, threshold = $threshold, enabled = $enabled, source = $source,
                firing = $firing, firing_changed_at = $firing_changed_at, last_value = $last_value, slo = $slo, check_name = $check_name
            WHERE id = $id;
            """,
            RuleParameters(rule),
            cancellationToken);
    }

    public Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM alert_rules WHERE id = $id;", [("$id", id)], cancellationToken);

    public Task<bool> RecordAlertTransitionAsync(
        AlertTransition transition,
        IReadOnlyList<WebhookMessage> messages,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(messages);
        return WithWriterAsync(writer =>
        {
            var rule = transition.Rule;
            using var transaction = writer.Connection.BeginTransaction();
            using (var update = writer.Connection.CreateCommand())
            {
                update.Transaction = transaction;
                update.CommandText = """
                    UPDATE alert_rules SET firing = $firing, firing_changed_at = $ts, last_value = $value
                    WHERE id = $id AND firing <> $firing;
                    """;
                update.Parameters.AddWithValue("$firing", transition.Triggered ? 1 : 0);
                update.Parameters.AddWithValue("$ts", ToUnixMicroseconds(transition.Time));
                update.Parameters.AddWithValue("$value", transition.Value);
                update.Parameters.AddWithValue("$id", rule.Id);
                if (update.ExecuteNonQuery() == 0)
                {
                    return false; // gone, or another evaluator got there first: the transaction rolls back on dispose
                }
            }

            using (var insert = writer.Connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = $"""
                    INSERT INTO alert_history ({HistoryColumns[4..]}) VALUES ($rule_id, $name, $metric, $route, $method, $event_name,
                        $window_us, $operator, $threshold, $triggered, $value, $window_start, $window_end, $ts);
                    """;
                insert.Parameters.AddWithValue("$rule_id", rule.Id);
                insert.Parameters.AddWithValue("$name", rule.Name);
                insert.Parameters.AddWithValue("$metric", (int)rule.Metric);
                insert.Parameters.AddWithValue("$route", (object?)rule.Route ?? DBNull.Value);
                insert.Parameters.AddWithValue("$method", (object?)rule.Method ?? DBNull.Value);
                insert.Parameters.AddWithValue("$event_name", (object?)rule.EventName ?? DBNull.Value);
                insert.Parameters.AddWithValue("$window_us", rule.Window.Ticks / TimeSpan.TicksPerMicrosecond);
                insert.Parameters.AddWithValue("$operator", (int)rule.Operator);
                insert.Parameters.AddWithValue("$threshold", rule.Threshold);
                insert.Parameters.AddWithValue("$triggered", transition.Triggered ? 1 : 0);
                insert.Parameters.AddWithValue("$value", transition.Value);
                insert.Parameters.AddWithValue("$window_start", ToUnixMicroseconds(transition.WindowStart));
                insert.Parameters.AddWithValue("$window_end", ToUnixMicroseconds(transition.WindowEnd));
                insert.Parameters.AddWithValue("$ts", ToUnixMicroseconds(transition.Time));
                insert.ExecuteNonQuery();
            }

            writer.InsertOutbox(transaction, messages);
            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<AlertTransition>> ReadAlertHistoryAsync(string? ruleId, int limit, long? before, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var where = ruleId is null ? "id < $before" : "rule_id = $rule AND id < $before";
        return QueryAsync(
            $"SELECT {HistoryColumns} FROM alert_history WHERE {where} ORDER BY id DESC LIMIT $limit;",
            [("$rule", ruleId), ("$before", before ?? long.MaxValue), ("$limit", limit)],
            StoreRows.ReadTransition,
            cancellationToken);
    }

    private static (string, object?)[] RuleParameters(AlertRule r) =>
    [
        ("$id", r.Id), ("$name", r.Name), ("$metric", (int)r.Metric), ("$route", r.Route), ("$method", r.Method),
        ("$event_name", r.EventName), ("$window_us", r.Window.Ticks / TimeSpan.TicksPerMicrosecond), ("$operator", (int)r.Operator),
        ("$threshold", r.Threshold), ("$enabled", r.Enabled ? 1 : 0), ("$source", (int)r.Source), ("$firing", r.Firing ? 1 : 0),
        ("$firing_changed_at", r.FiringChangedAt is { } changed ? ToUnixMicroseconds(changed) : null), ("$last_value", r.LastValue),
        ("$slo", r.Slo), ("$check_name", r.Check),
    ];
}
