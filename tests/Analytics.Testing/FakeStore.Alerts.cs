using Analytics.Storage;

namespace Analytics.Testing;

/// <summary><see cref="IAlertStore"/>: rules, the compare-and-set change of state and its history.</summary>
public partial class FakeStore
{
    Task<IReadOnlyList<AlertRule>> IAlertStore.ListAlertRulesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AlertRule>>([.. _alertRules.Values]);
        }
    }

    Task<AlertRule?> IAlertStore.GetAlertRuleAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_alertRules.GetValueOrDefault(id));
        }
    }

    Task<bool> IAlertStore.AddAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            return Task.FromResult(_alertRules.TryAdd(rule.Id, rule));
        }
    }

    Task<bool> IAlertStore.UpdateAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            if (!_alertRules.ContainsKey(rule.Id))
            {
                return Task.FromResult(false);
            }

            _alertRules[rule.Id] = rule;
            return Task.FromResult(true);
        }
    }

    Task<bool> IAlertStore.DeleteAlertRuleAsync(string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_alertRules.Remove(id));
        }
    }

    Task<bool> IAlertStore.RecordAlertTransitionAsync(
        AlertTransition transition, IReadOnlyList<WebhookMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(messages);
        lock (_gate)
        {
            // Only from the state the change leaves, so that two evaluators record it once.
            if (!_alertRules.TryGetValue(transition.Rule.Id, out var rule) || rule.Firing == transition.Triggered)
            {
                return Task.FromResult(false);
            }

            ThrowIfTaken(messages);
            _alertRules[rule.Id] = rule with
            {
                Firing = transition.Triggered,
                FiringChangedAt = transition.Time,
                LastValue = transition.Value,
            };
            _alertHistory.Add(transition with { Id = ++_lastHistoryId });
            _outbox.AddRange(messages);
            return Task.FromResult(true);
        }
    }

    Task<IReadOnlyList<AlertTransition>> IAlertStore.ReadAlertHistoryAsync(
        string? ruleId, int limit, long? before, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        lock (_gate)
        {
            IReadOnlyList<AlertTransition> history = [.. _alertHistory
                .Where(h => (ruleId is null || h.Rule.Id == ruleId) && h.Id < (before ?? long.MaxValue))
                .OrderByDescending(h => h.Id)
                .Take(limit)];
            return Task.FromResult(history);
        }
    }
}
