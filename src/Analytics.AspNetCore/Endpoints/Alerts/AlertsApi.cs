using Analytics.Alerts;
using Analytics.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// <c>{prefix}/api/alerts</c>: rules created and changed through the API (those declared in options are shown,
/// read-only), with their state, and the history of their changes.
/// </summary>
internal static class AlertsApi
{
    internal static readonly string[] Fields =
        ["name", "metric", "route", "method", "eventName", "slo", "check", "window", "operator", "threshold", "enabled"];

    public static async Task<IResult> List(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        var rules = await store.ListAlertRulesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json<IReadOnlyList<AlertRuleView>>(
            [.. rules.Select(AlertRuleView.From)], AnalyticsJsonContext.Default.IReadOnlyListAlertRuleView);
    }

    public static async Task<IResult> Get(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        return await store.GetAlertRuleAsync(Id(context), cancellationToken).ConfigureAwait(false) is { } rule
            ? TypedResults.Json(AlertRuleView.From(rule), AnalyticsJsonContext.Default.AlertRuleView)
            : NotFound(context);
    }

    public static async Task<IResult> Create(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        var (body, error) = await JsonBody.ReadAsync(context, optional: false, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        using (body)
        {
            var rule = ReadRule(body!, "alert_" + Guid.CreateVersion7().ToString("N"), SloNames(context));
            if (body!.Errors.Count > 0)
            {
                return AnalyticsApi.BadRequest(body.Errors);
            }

            await store.AddAlertRuleAsync(rule, cancellationToken).ConfigureAwait(false);
            return AdminResults.WithLocation(
                context,
                TypedResults.Json(AlertRuleView.From(rule), AnalyticsJsonContext.Default.AlertRuleView, statusCode: StatusCodes.Status201Created),
                rule.Id);
        }
    }

    /// <summary>Replaces a rule's definition; a rule whose definition changes starts again from "ok".</summary>
    public static async Task<IResult> Update(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        var existing = await store.GetAlertRuleAsync(Id(context), cancellationToken).ConfigureAwait(false);
        if (existing is not { Source: DefinitionSource.Api })
        {
            return existing is null ? NotFound(context) : ReadOnly(context);
        }

        var (body, error) = await JsonBody.ReadAsync(context, optional: false, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        using (body)
        {
            var rule = ReadRule(body!, existing.Id, SloNames(context));
            if (body!.Errors.Count > 0)
            {
                return AnalyticsApi.BadRequest(body.Errors);
            }

            if (rule.SameDefinitionAs(existing))
            {
                rule = existing;
            }

            await store.UpdateAlertRuleAsync(rule, cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(AlertRuleView.From(rule), AnalyticsJsonContext.Default.AlertRuleView);
        }
    }

    public static async Task<IResult> Delete(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        var existing = await store.GetAlertRuleAsync(Id(context), cancellationToken).ConfigureAwait(false);
        if (existing is not { Source: DefinitionSource.Api })
        {
            return existing is null ? NotFound(context) : ReadOnly(context);
        }

        await store.DeleteAlertRuleAsync(existing.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>The history, newest first; <c>rule</c> narrows it to one rule.</summary>
    public static async Task<IResult> History(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        if (!AdminResults.TryParsePage(context.Request, out var limit, out var before, out var errors))
        {
            return AnalyticsApi.BadRequest(errors);
        }

        var rule = context.Request.Query["rule"].ToString();
        var entries = await store.ReadAlertHistoryAsync(rule.Length == 0 ? null : rule, limit + 1, before, cancellationToken).ConfigureAwait(false);
        var page = entries.Take(limit).Select(AlertHistoryView.From).ToList();
        return TypedResults.Json(
            new AlertHistoryPage(page, entries.Count > limit ? page[^1].Id : null),
            AnalyticsJsonContext.Default.AlertHistoryPage);
    }

    /// <summary>Reads a whole rule from the body, adding an error per bad field.</summary>
    /// <param name="body">The body.</param>
    /// <param name="id">The rule's id.</param>
    /// <param name="slos">The names of the objectives declared in options, which a burnRate rule must name.</param>
    private static AlertRule ReadRule(JsonBody body, string id, IReadOnlyCollection<string> slos)
    {
        body.RejectUnknown(Fields);
        var metricText = body.String("metric");
        var metric = AlertMetric.ErrorRate;
        if (metricText is null)
        {
            body.Error("metric", $"is required: one of {string.Join(", ", AlertText.MetricNames)}.");
        }
        else if (!AlertText.TryParseMetric(metricText, out metric))
        {
            body.Error("metric", $"'{Shorten(metricText)}' is not a metric; use {string.Join(", ", AlertText.MetricNames)}.");
        }

        var op = AlertOperator.GreaterThan;
        if (body.String("operator") is { } operatorText && !AlertText.TryParseOperator(operatorText, out op))
        {
            body.Error("operator", $"'{Shorten(operatorText)}' is not an operator; use {string.Join(", ", AlertText.OperatorNames)}.");
        }

        var window = RequestAnalyticsDefaults.AlertWindow;
        if (body.String("window") is { } windowText && !AlertText.TryParseWindow(windowText, out window))
        {
            body.Error("window", $"'{Shorten(windowText)}' is not a window; write whole minutes such as 1m, 15m, 2h or 1d.");
        }

        var threshold = body.Number("threshold");
        if (threshold is null && !body.Errors.ContainsKey("threshold"))
        {
            body.Error("threshold", "is required.");
        }

        var name = body.String("name");
        var method = body.String("method");
        var rule = new AlertRule
        {
            Id = id,
            Name = name ?? string.Empty,
            Metric = metric,
            Route = NullIfEmpty(body.String("route")),
            Method = NullIfEmpty(method)?.ToUpperInvariant(),
            EventName = NullIfEmpty(body.String("eventName")),
            Slo = NullIfEmpty(body.String("slo")),
            Check = NullIfEmpty(body.String("check")),
            Window = window,
            Operator = op,
            Threshold = threshold ?? 0,
            Enabled = body.Bool("enabled") ?? true,
            Source = DefinitionSource.Api,
        };

        // Every field that parsed is checked against the rules the options validator applies too.
        DefinitionChecks.CheckRule(rule, slos, (field, message) =>
        {
            if (!body.Errors.ContainsKey(field))
            {
                body.Error(field, message);
            }
        });
        return rule;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Shorten(string value) => value.Length > 40 ? TextLimit.Truncate(value, 40) + "…" : value;

    private static IResult NotFound(HttpContext context) =>
        AnalyticsProblem.Problem(statusCode: StatusCodes.Status404NotFound, title: $"There is no alert rule '{Id(context)}'.");

    private static IResult ReadOnly(HttpContext context) => AnalyticsProblem.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: $"The alert rule '{Id(context)}' is declared in options (RequestAnalytics:Alerts); change it there.");

    private static HashSet<string> SloNames(HttpContext context) =>
        RequestAnalyticsOptionsValidator.SloNames(context.RequestServices.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value);

    private static string Id(HttpContext context) => context.Request.RouteValues["id"]?.ToString() ?? string.Empty;

    /// <summary>Gets the store's alerting side, once the rules declared in options are in it.</summary>
    private static async Task<IAlertStore?> ResolveAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var evaluator = context.RequestServices.GetRequiredService<AlertEvaluator>();
        await evaluator.EnsureDeclaredAsync(cancellationToken).ConfigureAwait(false);
        return evaluator.Store;
    }
}
