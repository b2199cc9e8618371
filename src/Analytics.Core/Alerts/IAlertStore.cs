
namespace Analytics.Storage;

/// <summary>
/// The alerting capability of a store: rules, their state, and the history of their changes. Every implementation
/// passes the same conformance suite.
/// </summary>
public interface IAlertStore
{
    /// <summary>Reads every rule, in id order.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(CancellationToken cancellationToken);

    /// <summary>Reads one rule, or <see langword="null"/> when there is none with that id.</summary>
    /// <param name="id">The rule's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<AlertRule?> GetAlertRuleAsync(string id, CancellationToken cancellationToken);

    /// <summary>Adds a rule; returns <see langword="false"/>, changing nothing, when its id is taken.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> AddAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken);

    /// <summary>Replaces a rule, state included; returns <see langword="false"/> when there is none with its id.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> UpdateAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken);

    /// <summary>Deletes a rule (its history stays); returns <see langword="false"/> when there was none.</summary>
    /// <param name="id">The rule's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> DeleteAlertRuleAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Records a change of state in one transaction, only if the stored rule still has the state the change leaves
    /// (so that two instances evaluating the same shared store record it once): sets the rule's
    /// <see cref="AlertRule.Firing"/>, appends the history entry and adds <paramref name="messages"/> to the webhook outbox.
    /// </summary>
    /// <param name="transition">The change.</param>
    /// <param name="messages">The webhook messages it produces; may be empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/>, changing nothing, when the rule is gone or already in the new state.</returns>
    Task<bool> RecordAlertTransitionAsync(AlertTransition transition, IReadOnlyList<WebhookMessage> messages, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the history, newest first: <paramref name="limit"/> entries with an id below <paramref name="before"/>, of
    /// one rule or all.
    /// </summary>
    /// <param name="ruleId">The rule's id, or <see langword="null"/> for every rule.</param>
    /// <param name="limit">The most entries; positive.</param>
    /// <param name="before">Only entries with a smaller id, or <see langword="null"/> for the newest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<AlertTransition>> ReadAlertHistoryAsync(string? ruleId, int limit, long? before, CancellationToken cancellationToken);
}
