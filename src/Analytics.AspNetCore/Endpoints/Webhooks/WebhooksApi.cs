using Analytics.Storage;
using Analytics.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// <c>{prefix}/api/webhooks</c>: subscriptions created and changed through the API (those declared in options are
/// shown, read-only), a test message, the deliveries log, and secret rotation. A secret is shown once, when it is made.
/// </summary>
internal static partial class WebhooksApi
{
    internal static readonly string[] Fields = ["url", "eventTypes", "eventNames", "enabled", "format", "secret"];

    public static async Task<IResult> List(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        var all = await store.ListWebhookSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json<IReadOnlyList<WebhookSubscriptionView>>(
            [.. all.Select(s => WebhookSubscriptionView.From(s))],
            AnalyticsJsonContext.Default.IReadOnlyListWebhookSubscriptionView);
    }

    public static async Task<IResult> Get(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        return await store.GetWebhookSubscriptionAsync(Id(context), cancellationToken).ConfigureAwait(false) is { } subscription
            ? TypedResults.Json(WebhookSubscriptionView.From(subscription), AnalyticsJsonContext.Default.WebhookSubscriptionView)
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
            var subscriptions = Subscriptions(context);
            body!.RejectUnknown(Fields);
            var definition = ReadDefinition(body, subscriptions.AllowPrivateNetworks, WebhookFormat.StandardWebhooks);
            var secret = body.String("secret");
            if (!WebhookBodies.IsSigned(definition.Format))
            {
                // A chat format is not signed: no secret is made, and one given is refused rather than kept unused.
                if (body.Has("secret"))
                {
                    body.Error("secret", $"must be absent: {FormatName(definition.Format)} messages are not signed.");
                }
            }
            else if (body.Has("secret") && WebhookSecret.Check(secret) is { } secretError)
            {
                body.Error("secret", secretError);
            }
            else
            {
                secret ??= WebhookSecret.Generate();
            }

            var subscription = definition with
            {
                Id = "wh_" + Guid.CreateVersion7().ToString("N"),
                Secrets = secret is null ? [] : [Protection(context).ToStored(secret)],
                Source = DefinitionSource.Api,
                CreatedAt = Now(context),
            };
            if (body.Errors.Count > 0)
            {
                return AnalyticsApi.BadRequest(body.Errors);
            }

            await store.AddWebhookSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
            await subscriptions.ReloadAsync(cancellationToken).ConfigureAwait(false);
            return AdminResults.WithLocation(
                context,
                TypedResults.Json(
                    WebhookSubscriptionView.From(subscription, secret),
                    AnalyticsJsonContext.Default.WebhookSubscriptionView,
                    statusCode: StatusCodes.Status201Created),
                subscription.Id);
        }
    }

    public static async Task<IResult> Update(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        // One declared in options is read-only here but for one change: enabling it again, unchanged, after a 410 Gone.
        var existing = await store.GetWebhookSubscriptionAsync(Id(context), cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return NotFound(context);
        }

        var (body, error) = await JsonBody.ReadAsync(context, optional: false, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        using (body)
        {
            var subscriptions = Subscriptions(context);
            body!.RejectUnknown(Fields[..^1]);
            var definition = ReadDefinition(body, subscriptions.AllowPrivateNetworks, existing.Format);
            if (existing.Source != DefinitionSource.Api
                && (body.Errors.Count > 0 || !definition.Enabled || !WebhookSubscriptions.SameTarget(existing, definition)))
            {
                return Declared(context);
            }

            if (body.Errors.Count > 0)
            {
                return AnalyticsApi.BadRequest(body.Errors);
            }

            // A change to a chat format drops the secrets (nothing is signed); a change back to standardWebhooks makes a new
            // one, shown once in this answer as at creation. The same format keeps the secrets as they are.
            var (secrets, newSecret) = (WebhookBodies.IsSigned(existing.Format), WebhookBodies.IsSigned(definition.Format)) switch
            {
                (_, false) => ([], null),
                (false, true) => NewSecret(context),
                _ => (existing.Secrets, (string?)null),
            };
            var updated = existing with
            {
                Url = definition.Url,
                EventTypes = definition.EventTypes,
                EventNames = definition.EventNames,
                Format = definition.Format,
                Secrets = secrets,
                Enabled = definition.Enabled,
                DisabledReason = definition.Enabled ? null : existing.DisabledReason,
            };
            await store.UpdateWebhookSubscriptionAsync(updated, cancellationToken).ConfigureAwait(false);
            await subscriptions.ReloadAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(WebhookSubscriptionView.From(updated, newSecret), AnalyticsJsonContext.Default.WebhookSubscriptionView);
        }
    }

    public static async Task<IResult> Delete(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        var (existing, refusal) = await FindEditableAsync(context, store, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return refusal!;
        }

        await store.DeleteWebhookSubscriptionAsync(existing.Id, cancellationToken).ConfigureAwait(false);
        await Subscriptions(context).ReloadAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Queues a <c>webhook.test</c> message, whatever event types the subscription asked for; it is delivered like any
    /// other. The body is <c>{}</c>.
    /// </summary>
    public static async Task<IResult> Test(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        var (body, error) = await JsonBody.ReadAsync(context, optional: true, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        using (body)
        {
            body!.RejectUnknown();
            if (body.Errors.Count > 0)
            {
                return AnalyticsApi.BadRequest(body.Errors);
            }
        }

        if (await store.GetWebhookSubscriptionAsync(Id(context), cancellationToken).ConfigureAwait(false) is not { } subscription)
        {
            return NotFound(context);
        }

        if (!subscription.Enabled)
        {
            return AnalyticsProblem.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: $"The subscription '{subscription.Id}' is disabled; enable it first.");
        }

        var now = Now(context);
        var message = WebhookMessageFactory.NewMessage(subscription.Id, WebhookEventTypes.Test, WebhookPayloads.Test(subscription.Id, now), now);
        await store.EnqueueWebhookMessagesAsync([message], cancellationToken).ConfigureAwait(false);
        context.RequestServices.GetRequiredService<WebhookOutboxSignal>().Notify();
        return TypedResults.Json(
            new WebhookTestQueued(message.Id),
            AnalyticsJsonContext.Default.WebhookTestQueued,
            statusCode: StatusCodes.Status202Accepted);
    }

    public static async Task<IResult> Deliveries(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return AdminResults.NotSupported();
        }

        if (!AdminResults.TryParsePage(context.Request, out var limit, out var before, out var errors))
        {
            return AnalyticsApi.BadRequest(errors);
        }

        if (await store.GetWebhookSubscriptionAsync(Id(context), cancellationToken).ConfigureAwait(false) is null)
        {
            return NotFound(context);
        }

        var attempts = await store.ReadWebhookAttemptsAsync(Id(context), limit + 1, before, cancellationToken).ConfigureAwait(false);
        var page = attempts.Take(limit).Select(WebhookDeliveryView.From).ToList();
        return TypedResults.Json(
            new WebhookDeliveryPage(page, attempts.Count > limit ? page[^1].Id : null),
            AnalyticsJsonContext.Default.WebhookDeliveryPage);
    }

    /// <summary>
    /// Reads url, eventTypes, eventNames, enabled and format (<paramref name="format"/> when absent: the default at
    /// creation, the subscription's own on a PUT), adding an error per bad field.
    /// </summary>
    private static WebhookSubscription ReadDefinition(JsonBody body, bool allowPrivateNetworks, WebhookFormat format)
    {
        var url = body.String("url");
        var eventTypes = body.StringArray("eventTypes") ?? [];
        var eventNames = body.StringArray("eventNames") ?? [];
        var enabled = body.Bool("enabled") ?? true;
        if (body.String("format") is { } formatText && !DefinitionChecks.TryParseFormat(formatText, out format))
        {
            body.Error("format", $"'{TextLimit.Truncate(formatText, 50)}' is not a format; use {string.Join(", ", DefinitionChecks.FormatNames)}.");
        }

        DefinitionChecks.CheckSubscription(url, eventTypes, eventNames, allowPrivateNetworks, body.Error);
        return new WebhookSubscription
        {
            Id = string.Empty,
            Url = url ?? string.Empty,
            EventTypes = [.. eventTypes.OfType<string>().Distinct(StringComparer.Ordinal)],
            EventNames = [.. eventNames.OfType<string>().Distinct(StringComparer.Ordinal)],
            Enabled = enabled,
            Format = format,
            Secrets = [],
        };
    }

    private static (IReadOnlyList<string> Stored, string? Secret) NewSecret(HttpContext context)
    {
        var secret = WebhookSecret.Generate();
        return ([Protection(context).ToStored(secret)], secret);
    }

    internal static string FormatName(WebhookFormat format) => DefinitionChecks.FormatNames[(int)format];

    /// <summary>Reads the subscription to change, once; when it cannot be changed, says why (404, or 409 for one declared in options).</summary>
    private static async Task<(WebhookSubscription? Subscription, IResult? Refusal)> FindEditableAsync(
        HttpContext context,
        IWebhookStore store,
        CancellationToken cancellationToken) =>
        await store.GetWebhookSubscriptionAsync(Id(context), cancellationToken).ConfigureAwait(false) switch
        {
            null => (null, NotFound(context)),
            { Source: DefinitionSource.Api } subscription => (subscription, null),
            _ => (null, Declared(context)),
        };

    private static IResult Declared(HttpContext context) =>
        AnalyticsProblem.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: $"The subscription '{Id(context)}' is declared in options (RequestAnalytics:Webhooks:Subscriptions); change it there.",
            detail: "A PUT of its declared url, eventTypes and eventNames with enabled: true enables it again after a 410 Gone; "
                + "nothing else about it can be changed here.");

    private static WebhookSecretProtection Protection(HttpContext context) =>
        context.RequestServices.GetRequiredService<WebhookSecretProtection>();

    private static IResult NotFound(HttpContext context) =>
        AnalyticsProblem.Problem(statusCode: StatusCodes.Status404NotFound, title: $"There is no webhook subscription '{Id(context)}'.");

    private static string Id(HttpContext context) => context.Request.RouteValues["id"]?.ToString() ?? string.Empty;

    private static WebhookSubscriptions Subscriptions(HttpContext context) => context.RequestServices.GetRequiredService<WebhookSubscriptions>();

    /// <summary>Gets the store's webhook side, once the subscriptions declared in options are in it.</summary>
    private static async Task<IWebhookStore?> ResolveAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var subscriptions = Subscriptions(context);
        await subscriptions.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        return subscriptions.Store;
    }

    private static DateTimeOffset Now(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
}
