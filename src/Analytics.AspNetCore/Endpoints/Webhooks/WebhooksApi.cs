using System.Globalization;
using Analytics.Storage;
using Analytics.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// <c>{prefix}/api/webhooks</c>: subscriptions created and changed through the API (those declared in options are
/// shown, read-only), a test message, the deliveries log, and secret rotation. A secret is shown once, when it is made.
/// </summary>
internal static class WebhooksApi
{
    /// <summary>How many entries a page of the deliveries log or the alert history holds unless <c>limit</c> says otherwise.</summary>
    internal const int DefaultPageSize = 50;

    internal static readonly string[] Fields = ["url", "eventTypes", "eventNames", "enabled", "secret"];

    public static async Task<IResult> List(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return NotSupported();
        }

        var all = await store.ListWebhookSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json<IReadOnlyList<WebhookSubscriptionView>>([.. all.Select(s => WebhookSubscriptionView.From(s))], AnalyticsJsonContext.Default.IReadOnlyListWebhookSubscriptionView);
    }

    public static async Task<IResult> Get(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return NotSupported();
        }

        return await store.GetWebhookSubscriptionAsync(Id(context), cancellationToken).ConfigureAwait(false) is { } subscription
            ? TypedResults.Json(WebhookSubscriptionView.From(subscription), AnalyticsJsonContext.Default.WebhookSubscriptionView)
            : NotFound(context);
    }

    public static async Task<IResult> Create(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return NotSupported();
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
            var secret = body.String("secret");
            if (body.Has("secret") && WebhookSecret.Check(secret) is { } secretError)
            {
                body.Error("secret", secretError);
            }

            var subscription = ReadDefinition(body, subscriptions.AllowPrivateNetworks) with
            {
                Id = "wh_" + Guid.CreateVersion7().ToString("N"),
                Secrets = [secret ??= WebhookSecret.Generate()],
                Source = DefinitionSource.Api,
                CreatedAt = Now(context),
            };
            if (body.Errors.Count > 0)
            {
                return AnalyticsApi.BadRequest(body.Errors);
            }

            await store.AddWebhookSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
            await subscriptions.ReloadAsync(cancellationToken).ConfigureAwait(false);
            return WithLocation(
                context,
                TypedResults.Json(WebhookSubscriptionView.From(subscription, secret), AnalyticsJsonContext.Default.WebhookSubscriptionView, statusCode: StatusCodes.Status201Created),
                subscription.Id);
        }
    }

    public static async Task<IResult> Update(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return NotSupported();
        }

        var (existing, refusal) = await FindEditableAsync(context, store, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return refusal!;
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
            var definition = ReadDefinition(body, subscriptions.AllowPrivateNetworks);
            if (body.Errors.Count > 0)
            {
                return AnalyticsApi.BadRequest(body.Errors);
            }

            var updated = existing with
            {
                Url = definition.Url,
                EventTypes = definition.EventTypes,
                EventNames = definition.EventNames,
                Enabled = definition.Enabled,
                DisabledReason = definition.Enabled ? null : existing.DisabledReason,
            };
            await store.UpdateWebhookSubscriptionAsync(updated, cancellationToken).ConfigureAwait(false);
            await subscriptions.ReloadAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(WebhookSubscriptionView.From(updated), AnalyticsJsonContext.Default.WebhookSubscriptionView);
        }
    }

    public static async Task<IResult> Delete(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return NotSupported();
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

    /// <summary>Queues a <c>webhook.test</c> message, whatever event types the subscription asked for; it is delivered like any other. The body is <c>{}</c>.</summary>
    public static async Task<IResult> Test(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return NotSupported();
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
            return AnalyticsProblem.Problem(statusCode: StatusCodes.Status409Conflict, title: $"The subscription '{subscription.Id}' is disabled; enable it first.");
        }

        var now = Now(context);
        var message = WebhookMessageFactory.NewMessage(subscription.Id, WebhookEventTypes.Test, WebhookPayloads.Test(subscription.Id, now), now);
        await store.EnqueueWebhookMessagesAsync([message], cancellationToken).ConfigureAwait(false);
        context.RequestServices.GetRequiredService<WebhookOutboxSignal>().Notify();
        return TypedResults.Json(new WebhookTestQueued(message.Id), AnalyticsJsonContext.Default.WebhookTestQueued, statusCode: StatusCodes.Status202Accepted);
    }

    public static async Task<IResult> Deliveries(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return NotSupported();
        }

        if (!TryParsePage(context.Request, out var limit, out var before, out var errors))
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

    /// <summary>Adds a secret (given, or generated) as the newest; the one before keeps signing too until it is dropped.</summary>
    public static async Task<IResult> AddSecret(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return NotSupported();
        }

        var (existing, refusal) = await FindEditableAsync(context, store, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return refusal!;
        }

        var (body, error) = await JsonBody.ReadAsync(context, optional: true, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        using (body)
        {
            body!.RejectUnknown("secret");
            var secret = body.String("secret");
            if (body.Has("secret") && WebhookSecret.Check(secret) is { } secretError)
            {
                body.Error("secret", secretError);
            }

            if (body.Errors.Count > 0)
            {
                return AnalyticsApi.BadRequest(body.Errors);
            }

            secret ??= WebhookSecret.Generate();
            var updated = existing with { Secrets = [secret, existing.Secrets[0]] };
            await store.UpdateWebhookSubscriptionAsync(updated, cancellationToken).ConfigureAwait(false);
            await Subscriptions(context).ReloadAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(new WebhookSecrets(secret, updated.Secrets.Count), AnalyticsJsonContext.Default.WebhookSecrets, statusCode: StatusCodes.Status201Created);
        }
    }

    /// <summary>Ends a rotation: only the newest secret signs from now on.</summary>
    public static async Task<IResult> DropPreviousSecret(HttpContext context, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(context, cancellationToken).ConfigureAwait(false) is not { } store)
        {
            return NotSupported();
        }

        var (existing, refusal) = await FindEditableAsync(context, store, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return refusal!;
        }

        if (existing.Secrets.Count < 2)
        {
            return AnalyticsProblem.Problem(statusCode: StatusCodes.Status409Conflict, title: $"The subscription '{existing.Id}' has one secret only; there is no previous one to drop.");
        }

        var updated = existing with { Secrets = [existing.Secrets[0]] };
        await store.UpdateWebhookSubscriptionAsync(updated, cancellationToken).ConfigureAwait(false);
        await Subscriptions(context).ReloadAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new WebhookSecrets(null, 1), AnalyticsJsonContext.Default.WebhookSecrets);
    }

    /// <summary>Reads url, eventTypes, eventNames and enabled, adding an error per bad field.</summary>
    private static WebhookSubscription ReadDefinition(JsonBody body, bool allowPrivateNetworks)
    {
        var url = body.String("url");
        var eventTypes = body.StringArray("eventTypes") ?? [];
        var eventNames = body.StringArray("eventNames") ?? [];
        var enabled = body.Bool("enabled") ?? true;
        DefinitionChecks.CheckSubscription(url, eventTypes, eventNames, allowPrivateNetworks, body.Error);
        return new WebhookSubscription
        {
            Id = string.Empty,
            Url = url ?? string.Empty,
            EventTypes = [.. eventTypes.OfType<string>().Distinct(StringComparer.Ordinal)],
            EventNames = [.. eventNames.OfType<string>().Distinct(StringComparer.Ordinal)],
            Enabled = enabled,
            Secrets = [],
        };
    }

    /// <summary>Reads the subscription to change, once; when it cannot be changed, says why (404, or 409 for one declared in options).</summary>
    private static async Task<(WebhookSubscription? Subscription, IResult? Refusal)> FindEditableAsync(HttpContext context, IWebhookStore store, CancellationToken cancellationToken) =>
        await store.GetWebhookSubscriptionAsync(Id(context), cancellationToken).ConfigureAwait(false) switch
        {
            null => (null, NotFound(context)),
            { Source: DefinitionSource.Api } subscription => (subscription, null),
            _ => (null, AnalyticsProblem.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: $"The subscription '{Id(context)}' is declared in options (RequestAnalytics:Webhooks:Subscriptions); change it there.")),
        };

    internal static bool TryParsePage(HttpRequest request, out int limit, out long? before, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        limit = DefaultPageSize;
        before = null;
        var limitText = request.Query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            errors["limit"] = ["must be a whole number from 1 to 1000."];
        }

        var beforeText = request.Query["before"].ToString();
        if (beforeText.Length > 0)
        {
            if (long.TryParse(beforeText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                before = value;
            }
            else
            {
                errors["before"] = ["must be the positive 'next' of a previous page."];
            }
        }

        return errors.Count == 0;
    }

    internal static IResult WithLocation(HttpContext context, IResult result, string id)
    {
        context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path.Value?.TrimEnd('/')}/{Uri.EscapeDataString(id)}";
        return result;
    }

    internal static IResult NotSupported() => AnalyticsProblem.Problem(
        statusCode: StatusCodes.Status501NotImplemented,
        title: "The analytics store in use keeps no webhooks or alerts; the SQLite and PostgreSQL stores do.");

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
