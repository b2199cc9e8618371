using Analytics.Webhooks;
using Microsoft.AspNetCore.Http;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>Secret rotation: a new secret signs beside the previous one until the previous one is dropped.</summary>
internal static partial class WebhooksApi
{
    /// <summary>Adds a secret (given, or generated) as the newest; the one before keeps signing too until it is dropped.</summary>
    public static async Task<IResult> AddSecret(HttpContext context, CancellationToken cancellationToken)
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

        if (!WebhookBodies.IsSigned(existing.Format))
        {
            return NotSigned(existing);
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
            var updated = existing with { Secrets = Protection(context).ToStored([secret, existing.Secrets[0]]) };
            await store.UpdateWebhookSubscriptionAsync(updated, cancellationToken).ConfigureAwait(false);
            await Subscriptions(context).ReloadAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(
                new WebhookSecrets(secret, updated.Secrets.Count),
                AnalyticsJsonContext.Default.WebhookSecrets,
                statusCode: StatusCodes.Status201Created);
        }
    }

    /// <summary>Ends a rotation: only the newest secret signs from now on.</summary>
    public static async Task<IResult> DropPreviousSecret(HttpContext context, CancellationToken cancellationToken)
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

        if (!WebhookBodies.IsSigned(existing.Format))
        {
            return NotSigned(existing);
        }

        if (existing.Secrets.Count < 2)
        {
            return AnalyticsProblem.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: $"The subscription '{existing.Id}' has one secret only; there is no previous one to drop.");
        }

        var updated = existing with { Secrets = Protection(context).ToStored([existing.Secrets[0]]) };
        await store.UpdateWebhookSubscriptionAsync(updated, cancellationToken).ConfigureAwait(false);
        await Subscriptions(context).ReloadAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new WebhookSecrets(null, 1), AnalyticsJsonContext.Default.WebhookSecrets);
    }

    private static IResult NotSigned(Storage.WebhookSubscription subscription) =>
        AnalyticsProblem.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: $"The subscription '{subscription.Id}' sends {FormatName(subscription.Format)} messages, which are not signed: "
                + "it has no secrets.");
}
