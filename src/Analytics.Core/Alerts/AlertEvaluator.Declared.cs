using Analytics.Storage;

namespace Analytics.Alerts;

/// <summary>
/// The rules declared in options, copied into the store once so that the API, the dashboard and the history treat them
/// like the others.
/// </summary>
internal sealed partial class AlertEvaluator
{
    /// <summary>Copies the rules declared in options into the store, once: a rule whose definition did not change keeps its state.</summary>
    public async Task EnsureDeclaredAsync(CancellationToken cancellationToken)
    {
        if (_store is not { } store || _declaredCopied)
        {
            return;
        }

        await _declaredGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_declaredCopied)
            {
                await CopyDeclaredAsync(store, cancellationToken).ConfigureAwait(false);
                _declaredCopied = true;
            }
        }
        finally
        {
            _declaredGate.Release();
        }
    }

    private async Task CopyDeclaredAsync(IAlertStore store, CancellationToken cancellationToken)
    {
        var declared = _options.Alerts.Select(ToRule).Concat(SloRules(_options)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var existing in await store.ListAlertRulesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (existing.Source == DefinitionSource.Options && !declared.ContainsKey(existing.Id))
            {
                await store.DeleteAlertRuleAsync(existing.Id, cancellationToken).ConfigureAwait(false);
            }
            else if (declared.Remove(existing.Id, out var rule) && !(existing.Source == DefinitionSource.Options && existing.SameDefinitionAs(rule)))
            {
                if (existing.Source == DefinitionSource.Api)
                {
                    LogDeclaredIdTaken(_logger, existing.Id);
                    continue;
                }

                await store.UpdateAlertRuleAsync(rule, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var rule in declared.Values)
        {
            await store.AddAlertRuleAsync(rule, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static AlertRule ToRule(AlertRuleOptions o) => new()
    {
        Id = o.Id!,
        Name = string.IsNullOrWhiteSpace(o.Name) ? o.Id! : o.Name,
        Metric = o.Metric,
        Route = string.IsNullOrWhiteSpace(o.Route) ? null : o.Route,
        Method = string.IsNullOrWhiteSpace(o.Method) ? null : o.Method.ToUpperInvariant(),
        EventName = string.IsNullOrWhiteSpace(o.EventName) ? null : o.EventName,
        Slo = string.IsNullOrWhiteSpace(o.Slo) ? null : o.Slo,
        Check = string.IsNullOrWhiteSpace(o.Check) ? null : o.Check,
        Window = o.Window,
        Operator = o.Operator,
        Threshold = o.Threshold,
        Enabled = o.Enabled,
        Source = DefinitionSource.Options,
    };
}
