using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Analytics.Storage;
using Analytics.Telemetry;

namespace Analytics.Webhooks;

// The delivery of one claimed message: its span, the attempts, the outcome recorded under its claim.
internal sealed partial class WebhookDispatcher
{
    /// <summary>Delivers one message inside its span, which the HTTP client's own spans nest under.</summary>
    private async Task DeliverAsync(IWebhookStore store, WebhookMessage message, CancellationToken stoppingToken)
    {
        var span = AnalyticsActivities.Start(AnalyticsActivities.WebhookDeliver);
        span?.SetTag(TelemetryAttributes.WebhookSubscriptionId, message.SubscriptionId)
            .SetTag(TelemetryAttributes.WebhookEventType, message.EventType)
            .SetTag(TelemetryAttributes.WebhookMessageId, message.Id);
        try
        {
            await DeliverAsync(store, message, span, stoppingToken).ConfigureAwait(false);
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

    private async Task DeliverAsync(IWebhookStore store, WebhookMessage message, Activity? span, CancellationToken stoppingToken)
    {
        var subscription = _subscriptions.All.FirstOrDefault(s => s.Id == message.SubscriptionId);
        if (subscription is not { Enabled: true })
        {
            // Not given up on a cached answer: the cache may be up to RefreshInterval old, and another instance may
            // have created or enabled the subscription since. The store decides.
            subscription = await store.GetWebhookSubscriptionAsync(message.SubscriptionId, CancellationToken.None).ConfigureAwait(false);
        }
        if (subscription is not { Enabled: true })
        {
            var why = subscription is null ? "deleted" : "disabled";
            if (await CompleteAsync(store, message with { State = WebhookMessageState.Failed }, []).ConfigureAwait(false))
            {
                LogDroppedForSubscription(_logger, message.Id, message.SubscriptionId, why);
                Abandon(span, message, "subscription_" + why);
            }

            return;
        }

        // A secret this host cannot unprotect fails the delivery like an unreachable receiver, logged and retried on the
        // schedule, never signed with something else: another instance, or this one with its key ring restored, can send it.
        // Chat formats are not signed, so they have no secret to read.
        var signed = WebhookBodies.IsSigned(subscription.Format);
        IReadOnlyList<string>? secrets = null;
        var readable = !signed || _secrets.TryReveal(subscription, out secrets);
        byte[][] keys = signed ? [.. (secrets ?? []).Select(s => WebhookSecret.TryDecode(s, out var key) ? key : null).OfType<byte[]>()] : [];
        if (signed && readable && keys.Length == 0)
        {
            // Never sent unsigned: a receiver that checks signatures would reject it, and one that does not should not get it.
            if (await CompleteAsync(store, message with { State = WebhookMessageState.Failed }, []).ConfigureAwait(false))
            {
                LogDroppedForSubscription(_logger, message.Id, message.SubscriptionId, "without a usable secret");
                Abandon(span, message, "no_usable_secret");
            }

            return;
        }

        byte[] body;
        try
        {
            body = _bodies.For(subscription.Format, message.Payload);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            // Only a payload no version of the library wrote could get here; sending it again would fail the same way.
            if (await CompleteAsync(store, message with { State = WebhookMessageState.Failed }, []).ConfigureAwait(false))
            {
                LogBodyNotRendered(_logger, ex, message.Id, subscription.Id, subscription.Format);
                Abandon(span, message, "unrenderable_payload");
            }

            return;
        }

        var delivery = new WebhookDelivery(message, keys, body) { Stopping = stoppingToken };
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url);
        request.Options.Set(WebhookDelivery.Key, delivery);
        span?.SetTag(TelemetryAttributes.ServerAddress, request.RequestUri?.Host);

        var started = _timeProvider.GetTimestamp();
        HttpStatusCode? status = null;
        if (!readable)
        {
            LogSecretUnreadable(_logger, message.Id, subscription.Id);
            delivery.LastError = new CryptographicException(UnreadableSecret);
            delivery.Attempts.Add(new WebhookAttempt
            {
                MessageId = message.Id,
                SubscriptionId = message.SubscriptionId,
                EventType = message.EventType,
                Attempt = delivery.NextAttemptNumber,
                Time = _timeProvider.GetUtcNow(),
                Duration = TimeSpan.Zero,
                Error = UnreadableSecret,
            });
        }

        try
        {
            if (readable)
            {
                // Set here, not in the client's registration, so that no host default or post-configuration can put a
                // deadline on the whole delivery: its attempts time out one by one, in the resilience pipeline.
                using var client = _clients.CreateClient(WebhookHttpClient.Name);
                client.Timeout = Timeout.InfiniteTimeSpan;
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken).ConfigureAwait(false);
                status = response.StatusCode;
            }
        }
        catch (Exception ex) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping mid-delivery: hand the message back now instead of leaving it leased; the attempts made are kept.
            LogDeliveryInterrupted(_logger, ex, message.Id);
            span?.SetTag(TelemetryAttributes.WebhookOutcome, "interrupted").SetTag(TelemetryAttributes.WebhookAttempts, delivery.Attempts.Count);
            AnalyticsActivities.Fail(span, ex);
            await CompleteAsync(
                store,
                message with { Attempts = message.Attempts + delivery.Attempts.Count, NextAttemptAt = _timeProvider.GetUtcNow() },
                delivery.Attempts).ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            delivery.LastError = ex;
            if (WebhookAttemptHandler.FindRefusal(ex) is { } refused)
            {
                LogAddressRefused(_logger, message.Id, subscription.Id, refused.Host, refused.Address.ToString());
            }
        }

        var elapsed = _timeProvider.GetElapsedTime(started);
        var now = _timeProvider.GetUtcNow();
        var updated = message with { Attempts = message.Attempts + delivery.Attempts.Count, Deliveries = message.Deliveries + 1 };
        string outcome;
        TimeSpan? retryIn = null;
        if (status is { } ok && (int)ok is >= 200 and < 300)
        {
            updated = updated with { State = WebhookMessageState.Delivered };
            outcome = "delivered";
        }
        else if (status == HttpStatusCode.Gone)
        {
            updated = updated with { State = WebhookMessageState.Failed };
            outcome = "gone";
            await DisableAsync(store, subscription.Id, subscription.Url, now).ConfigureAwait(false);
        }
        else if (_policy.NextDelay(updated.Deliveries, delivery.RetryAfter) is { } delay)
        {
            updated = updated with { NextAttemptAt = now + delay };
            outcome = "retrying";
            retryIn = delay;
        }
        else
        {
            updated = updated with { State = WebhookMessageState.Failed };
            outcome = "failed";
        }

        // Recorded before it is told: a completion fenced off by a newer claim changed nothing, and the outcome that counts
        // is the one the newer claim's dispatcher records.
        if (!await CompleteAsync(store, updated, delivery.Attempts).ConfigureAwait(false))
        {
            outcome = "superseded";
        }
        else if (outcome == "delivered")
        {
            LogDelivered(_logger, message.Id, subscription.Id, updated.Attempts);
        }
        else if (retryIn is { } wait)
        {
            LogDeliveryFailed(_logger, message.Id, subscription.Id, updated.Attempts, Describe(status, delivery), wait.TotalSeconds);
        }
        else if (outcome == "failed")
        {
            LogGivenUp(_logger, message.Id, subscription.Id, updated.Attempts, Describe(status, delivery));
        }

        // As OpenTelemetry's HTTP conventions have it: error.type is the status code when one came back, else the exception's type.
        var statusCode = (int?)status;
        var errorType = status is { } answered && (int)answered is >= 200 and < 300 ? null
            : statusCode is { } code ? code.ToString(CultureInfo.InvariantCulture)
            : delivery.LastError?.GetType().FullName ?? "_OTHER";
        _metrics.WebhookDelivered(message.EventType, outcome, elapsed, statusCode, errorType);
        span?.SetTag(TelemetryAttributes.WebhookOutcome, outcome)
            .SetTag(TelemetryAttributes.WebhookAttempts, delivery.Attempts.Count)
            .SetTag(TelemetryAttributes.HttpResponseStatusCode, statusCode);
        if (errorType is not null)
        {
            if (delivery.LastError is { } error && statusCode is null)
            {
                AnalyticsActivities.Fail(span, error);
            }
            else
            {
                AnalyticsActivities.Fail(span, errorType, Describe(status, delivery));
            }
        }
    }

    /// <summary>
    /// Records a message's outcome unless a newer claim fenced it off; returns whether it was recorded. Not cancelled: an
    /// outcome left unrecorded would have the message sent again when its lease runs out.
    /// </summary>
    private async Task<bool> CompleteAsync(IWebhookStore store, WebhookMessage message, IReadOnlyList<WebhookAttempt> attempts)
    {
        if (await store.TryCompleteWebhookMessageAsync(message, attempts, CancellationToken.None).ConfigureAwait(false))
        {
            return true;
        }

        LogCompletionFenced(_logger, message.Id, message.SubscriptionId, message.ClaimToken, attempts.Count);
        return false;
    }

    /// <summary>Counts and marks a message given up without being sent.</summary>
    private void Abandon(Activity? span, WebhookMessage message, string errorType)
    {
        _metrics.WebhookDelivered(message.EventType, "abandoned", errorType: errorType);
        span?.SetTag(TelemetryAttributes.WebhookOutcome, "abandoned");
        AnalyticsActivities.Fail(span, errorType);
    }

    /// <summary>
    /// Disables the subscription as it is in the store now, not as it was when the delivery started: a change made
    /// meanwhile (a new URL, a new secret) is kept, and a subscription that moved to another URL is not disabled.
    /// </summary>
    private async Task DisableAsync(IWebhookStore store, string id, string goneUrl, DateTimeOffset now)
    {
        LogSubscriptionGone(_logger, id, goneUrl);
        if (await store.GetWebhookSubscriptionAsync(id, CancellationToken.None).ConfigureAwait(false) is { Enabled: true } current
            && string.Equals(current.Url, goneUrl, StringComparison.Ordinal))
        {
            var reason = $"The receiver answered 410 Gone at {now:u}.";
            await store.UpdateWebhookSubscriptionAsync(
                current with { Enabled = false, DisabledReason = reason },
                CancellationToken.None).ConfigureAwait(false);
        }

        await _subscriptions.ReloadAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private string Describe(HttpStatusCode? status, WebhookDelivery delivery) =>
        status is { } s ? $"HTTP {(int)s}"
        : delivery.LastError is { } ex ? WebhookAttemptHandler.Describe(ex, CancellationToken.None, _policy.AttemptTimeout)
        : "no response";
}
