using System.Net.Http.Headers;
using System.Text;
using Analytics.Storage;

namespace Analytics.Webhooks;

/// <summary>
/// One attempt of a webhook delivery, below the client's resilience handler (which calls it once per attempt): builds a
/// fresh <see cref="HttpRequestMessage"/> from the buffered body, signs it (Standard Webhooks only) with this attempt's timestamp, sends it, and
/// logs it in the delivery with its status, duration, the first 1 KB of the response, or its error. Before sending, it
/// checks that the handler that will dial is still the SSRF-guarded one <see cref="WebhookHttpClient"/> set.
/// </summary>
internal sealed class WebhookAttemptHandler : DelegatingHandler
{
    internal const int MaxLoggedResponseBytes = 1_024;
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private static readonly ProductInfoHeaderValue UserAgent = new("Analytics-Webhooks", "1.0");

    private readonly WebhookDeliveryPolicy _policy;
    private readonly TimeProvider _timeProvider;
    private readonly bool _allowPrivateNetworks;

    public WebhookAttemptHandler(WebhookDeliveryPolicy policy, TimeProvider timeProvider, bool allowPrivateNetworks)
    {
        _policy = policy;
        _timeProvider = timeProvider;
        _allowPrivateNetworks = allowPrivateNetworks;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(WebhookDelivery.Key, out var delivery))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var message = delivery.Message;
        var number = delivery.NextAttemptNumber;
        var started = _timeProvider.GetUtcNow();
        var timestamp = _timeProvider.GetTimestamp();
        using var attempt = new HttpRequestMessage(HttpMethod.Post, request.RequestUri) { Version = request.Version };
        attempt.Content = new ByteArrayContent(delivery.Body);
        attempt.Content.Headers.ContentType = Json;
        if (delivery.Signed)
        {
            // Chat formats go without these: Slack, Teams and Discord check no signature, and a message without a secret has none.
            var unixSeconds = started.ToUnixTimeSeconds();
            attempt.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, message.Id);
            attempt.Headers.TryAddWithoutValidation(
                WebhookSignature.TimestampHeader, unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            attempt.Headers.TryAddWithoutValidation(
                WebhookSignature.SignatureHeader,
                WebhookSignature.Sign(delivery.Keys, message.Id, unixSeconds, delivery.Body));
        }

        attempt.Headers.UserAgent.Add(UserAgent);

        WebhookAttempt Logged() => new()
        {
            MessageId = message.Id,
            SubscriptionId = message.SubscriptionId,
            EventType = message.EventType,
            Attempt = number,
            Time = started,
            Duration = _timeProvider.GetElapsedTime(timestamp),
        };

        HttpResponseMessage? response = null;
        try
        {
            EnsureGuardedPrimaryHandler();
            response = await base.SendAsync(attempt, cancellationToken).ConfigureAwait(false);
            var body = await ReadStartAsync(response, cancellationToken).ConfigureAwait(false);
            delivery.RetryAfter = WebhookResiliencePipeline.RetryAfter(response, _timeProvider);
            delivery.LastError = null;
            delivery.Attempts.Add(Logged() with { StatusCode = (int)response.StatusCode, Response = body });
            return response;
        }
        catch (Exception ex)
        {
            response?.Dispose();
            delivery.LastError = ex;
            delivery.Attempts.Add(Logged() with { Error = Describe(ex, delivery.Stopping, _policy.AttemptTimeout) });
            throw;
        }
    }

    /// <summary>
    /// Refuses to send unless the handler at the bottom of the chain is a <see cref="SocketsHttpHandler"/> that dials
    /// through <see cref="WebhookConnector"/>, uses no proxy and follows no redirect. The client is built so (see
    /// <see cref="WebhookHttpClient"/>); this holds it so even when something the host registered (a handler builder
    /// filter, a post-configuration of every client) swapped or changed it: a delivery then fails, it never goes out unguarded.
    /// </summary>
    private void EnsureGuardedPrimaryHandler()
    {
        var handler = InnerHandler;
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler;
        }

        if (handler is not SocketsHttpHandler { UseProxy: false, AllowAutoRedirect: false } sockets
            || (!_allowPrivateNetworks && !Equals(sockets.ConnectCallback, WebhookConnector.Callback)))
        {
            throw new InvalidOperationException(
                $"Not sent: the webhook client's primary handler ({handler?.GetType().Name ?? "none"}) " +
                "is not the SSRF-guarded one Analytics configures; something in the host replaced or changed it.");
        }
    }

    internal static WebhookAddressRefusedException? FindRefusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is WebhookAddressRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    /// <summary>Says what went wrong with an attempt that got no response; <paramref name="outer"/> tells a timeout from a stop.</summary>
    internal static string Describe(Exception ex, CancellationToken outer, TimeSpan timeout) => ex switch
    {
        _ when FindRefusal(ex) is { } refused => refused.Message,
        OperationCanceledException when !outer.IsCancellationRequested => $"Timed out after {timeout.TotalSeconds:0.#} s.",
        Polly.Timeout.TimeoutRejectedException => $"Timed out after {timeout.TotalSeconds:0.#} s.",
        OperationCanceledException => "Cancelled: the host is stopping.",
        HttpRequestException { InnerException: { } inner } http => $"{http.Message} ({inner.Message})",
        _ => ex.Message,
    };

    private static async Task<string?> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxLoggedResponseBytes];
        var read = 0;
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }
}
