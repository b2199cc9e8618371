using System.Diagnostics;
using Analytics.Live;
using Analytics.ServiceLevels;
using Analytics.Storage;
using Analytics.Telemetry;
using Analytics.Webhooks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Alerts;

/// <summary>
/// Evaluates the alert rules every <see cref="RequestAnalyticsOptions.AlertInterval"/> on the minute rollups of the
/// last whole minutes, and records each change of state once: a rule fires when it crosses its threshold and resolves
/// when it is back, never again while it stays on the same side. Each change goes to the alert history, the webhook
/// outbox (in the same transaction) and the live stream.
/// </summary>
internal sealed partial class AlertEvaluator : BackgroundService
{
    private readonly IAlertStore? _store;
    private readonly IClusterLeadership? _leadership;
    private readonly IAnalyticsQueries _queries;
    private readonly IAnalyticsPipeline _pipeline;
    private readonly WebhookSubscriptions _webhooks;
    private readonly WebhookOutboxSignal _outbox;
    private readonly LiveFeed _feed;
    private readonly AnalyticsMetrics _metrics;
    private readonly RequestAnalyticsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SloMeter _slos;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _declaredGate = new(1, 1);
    private volatile bool _declaredCopied;

    public AlertEvaluator(
        IAnalyticsStore analyticsStore,
        StoreCapabilities capabilities,
        IAnalyticsQueries queries,
        IAnalyticsPipeline pipeline,
        WebhookSubscriptions webhooks,
        WebhookOutboxSignal outbox,
        LiveFeed feed,
        AnalyticsMetrics metrics,
        IOptions<RequestAnalyticsOptions> options,
        TimeProvider timeProvider,
        ILogger<AlertEvaluator> logger)
    {
        _store = capabilities.Alerts;
        _leadership = capabilities.Leadership;
        _queries = queries;
        _pipeline = pipeline;
        _webhooks = webhooks;
        _outbox = outbox;
        _feed = feed;
        _metrics = metrics;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _slos = new SloMeter(analyticsStore, _options.Retention);
    }

    /// <summary>Gets the store's alerting capability, or <see langword="null"/> when it has none (alerts are then off).</summary>
    public IAlertStore? Store => _store;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_store is null)
        {
            return;
        }

        Activity.Current = null; // each evaluation is a trace of its own, not part of whatever span started the host
        try
        {
            await EnsureDeclaredAsync(stoppingToken).ConfigureAwait(false); // so that the API and dashboard show them from the start
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogEvaluationFailed(_logger, ex); // tried again before each evaluation
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.AlertInterval, _timeProvider, stoppingToken).ConfigureAwait(false);

                // On a store shared by several instances, the leader evaluates for all of them (and a change is recorded
                // once even if two evaluate at a handover: see IAlertStore.RecordAlertTransitionAsync).
                if (_leadership is null || await _leadership.IsLeaderAsync(stoppingToken).ConfigureAwait(false))
                {
                    await EvaluateAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogEvaluationFailed(_logger, ex);
            }
        }
    }

    /// <summary>Evaluates every enabled rule once; returns the changes recorded.</summary>
    public async Task<IReadOnlyList<AlertTransition>> EvaluateAsync(CancellationToken cancellationToken)
    {
        if (_store is not { } store)
        {
            return [];
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureDeclaredAsync(cancellationToken).ConfigureAwait(false);
            var rules = (await store.ListAlertRulesAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.Enabled).ToList();
            if (rules.Count == 0)
            {
                return [];
            }

            // A span only for a pass that evaluates something: an app without rules would otherwise add an empty trace every interval.
            var span = AnalyticsActivities.Start(AnalyticsActivities.AlertEvaluate);
            span?.SetTag(TelemetryAttributes.AlertRules, rules.Count);
            try
            {
                var changes = await EvaluateRulesAsync(store, rules, cancellationToken).ConfigureAwait(false);
                span?.SetTag(TelemetryAttributes.AlertTransitions, changes.Count);
                return changes;
            }
            catch (Exception ex)
            {
                AnalyticsActivities.Fail(span, ex);
                throw;
            }
            finally
            {
                AnalyticsActivities.Stop(span);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IReadOnlyList<AlertTransition>> EvaluateRulesAsync(
        IAlertStore store,
        List<AlertRule> rules,
        CancellationToken cancellationToken)
    {
        // Everything accepted until now counts: the minutes measured are whole, and their last records may still be queued.
        await _pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _webhooks.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);

        var now = _timeProvider.GetUtcNow();
        var end = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var changes = new List<AlertTransition>();
        foreach (var rule in rules)
        {
            var start = end - rule.Window;
            if (await MeasureAsync(rule, start, end, cancellationToken).ConfigureAwait(false) is not { } value)
            {
                continue;
            }

            var firing = Crosses(rule.Operator, value, rule.Threshold);
            if (firing == rule.Firing)
            {
                continue;
            }

            var transition = new AlertTransition
            {
                Rule = rule with { Firing = firing, FiringChangedAt = now, LastValue = value },
                Triggered = firing,
                Value = value,
                WindowStart = start,
                WindowEnd = end,
                Time = now,
            };
            var messages = WebhookMessageFactory.ForEvent(
                _webhooks.All, firing ? WebhookEventTypes.AlertTriggered : WebhookEventTypes.AlertResolved, AlertPayloads.Message(transition), now);
            if (!await store.RecordAlertTransitionAsync(transition, messages, cancellationToken).ConfigureAwait(false))
            {
                continue; // another instance recorded it first, or the rule was deleted meanwhile
            }

            changes.Add(transition);
            _metrics.AlertTransition(firing);
            _feed.Broadcast(LiveMessageKind.Alert, transition, replayable: true);
            if (messages.Count > 0)
            {
                _outbox.Notify();
            }

            if (firing)
            {
                LogTriggered(
                    _logger,
                    rule.Id,
                    AlertText.Metric(rule.Metric),
                    value,
                    AlertText.Operator(rule.Operator),
                    rule.Threshold,
                    AlertText.Window(rule.Window));
            }
            else
            {
                LogResolved(_logger, rule.Id, AlertText.Metric(rule.Metric), value);
            }
        }

        return changes;
    }

    internal static bool Crosses(AlertOperator op, double value, double threshold) => op switch
    {
        AlertOperator.GreaterThan => value > threshold,
        AlertOperator.GreaterThanOrEqual => value >= threshold,
        AlertOperator.LessThan => value < threshold,
        _ => value <= threshold,
    };

    /// <summary>Measures a rule over [start, end) of minute rollups; <see langword="null"/> when there is nothing to measure.</summary>
    private async Task<double?> MeasureAsync(AlertRule rule, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        switch (rule.Metric)
        {
            case AlertMetric.EventCount:
                return await CountEventsAsync(rule, start, end, cancellationToken).ConfigureAwait(false);
            case AlertMetric.BurnRate:
                return await BurnRateAsync(rule, start, end, cancellationToken).ConfigureAwait(false);
            case AlertMetric.HealthCheck:
                return await OpenIncidentsAsync(rule, cancellationToken).ConfigureAwait(false);
            case AlertMetric.ChangeRatio:
                var current = rule.EventName is null
                    ? (await OverviewAsync(rule, start, end, cancellationToken).ConfigureAwait(false)).TotalRequests
                    : await CountEventsAsync(rule, start, end, cancellationToken).ConfigureAwait(false);
                var previous = rule.EventName is null
                    ? (await OverviewAsync(rule, start - rule.Window, start, cancellationToken).ConfigureAwait(false)).TotalRequests
                    : await CountEventsAsync(rule, start - rule.Window, start, cancellationToken).ConfigureAwait(false);
                return previous == 0 ? null : (double)current / previous;
            default:
                var overview = await OverviewAsync(rule, start, end, cancellationToken).ConfigureAwait(false);
                return rule.Metric switch
                {
                    AlertMetric.ErrorRate => overview.ErrorRate,
                    AlertMetric.RequestCount => overview.TotalRequests,
                    AlertMetric.P95 when overview.TotalRequests > 0 => overview.Latency.P95,
                    AlertMetric.P99 when overview.TotalRequests > 0 => overview.Latency.P99,
                    _ => null, // no requests: no latency to compare
                };
        }
    }

    private Task<AnalyticsOverview> OverviewAsync(AlertRule rule, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
        _queries.GetOverviewAsync(
            new AnalyticsQuery { From = start, To = end, Route = rule.Route, Method = rule.Method, Granularity = Granularity.Minute },
            cancellationToken);

    private async Task<long> CountEventsAsync(AlertRule rule, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var events = await _queries.GetEventsAsync(
            new AnalyticsQuery { From = start, To = end, EventName = rule.EventName, Granularity = Granularity.Minute },
            cancellationToken).ConfigureAwait(false);
        return events.Events.Sum(e => e.Count);
    }
}
