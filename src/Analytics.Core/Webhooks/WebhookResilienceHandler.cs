using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Analytics.Webhooks;

/// <summary>
/// The quick retries of one webhook delivery, as a <see cref="DelegatingHandler"/> in the webhook client: a Polly.Core
/// pipeline (exponential backoff with jitter, <c>Retry-After</c> honoured up to a cap, a timeout per attempt) around
/// attempts that each build a fresh, freshly signed <see cref="HttpRequestMessage"/> from the buffered body, and each
/// land in the delivery's log with their status, duration, the first 1 KB of the response, or their error.
/// </summary>
internal sealed class WebhookResilienceHandler : DelegatingHandler
{
    internal const int MaxLoggedResponseBytes = 1_024;
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private static readonly ProductInfoHeaderValue UserAgent = new("Analytics-Webhooks", "1.0");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly WebhookDeliveryPolicy _policy;
    private readonly TimeProvider _timeProvider;

    public WebhookResilienceHandler(WebhookDeliveryPolicy policy, TimeProvider timeProvider)
    {
        _policy = policy;
        _timeProvider = timeProvider;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(policy.QuickRetries, 1),
                Delay = policy.QuickDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(policy.QuickRetries > 0 && ShouldRetry(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome is { Result: { } response } ? RetryAfter(response) : null),
            })
            .AddTimeout(policy.AttemptTimeout)
            .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(WebhookDelivery.Key, out var delivery))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (context, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Handler.AttemptAsync(state.Request, state.Delivery, context.CancellationToken, state.Outer).ConfigureAwait(false));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (Handler: this, Request: request, Delivery: delivery, Outer: cancellationToken)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome is { Result: { } response } ? response : throw new InvalidOperationException("The webhook pipeline ended with neither a response nor an error.");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>One attempt: a new message with the buffered body, signed with this attempt's timestamp, logged whatever happens.</summary>
    private async Task<HttpResponseMessage> AttemptAsync(HttpRequestMessage original, WebhookDelivery delivery, CancellationToken cancellationToken, CancellationToken outer)
    {
        var message = delivery.Message;
        var number = delivery.NextAttemptNumber;
        var started = _timeProvider.GetUtcNow();
        var timestamp = _timeProvider.GetTimestamp();
        using var attempt = new HttpRequestMessage(HttpMethod.Post, original.RequestUri) { Version = original.Version };
        attempt.Content = new ByteArrayContent(message.Payload);
        attempt.Content.Headers.ContentType = Json;
        var unixSeconds = started.ToUnixTimeSeconds();
        attempt.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, message.Id);
        attempt.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        attempt.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(delivery.Keys, message.Id, unixSeconds, message.Payload));
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
            response = await base.SendAsync(attempt, cancellationToken).ConfigureAwait(false);
            var body = await ReadStartAsync(response, cancellationToken).ConfigureAwait(false);
            delivery.RetryAfter = RetryAfter(response);
            delivery.LastError = null;
            delivery.Attempts.Add(Logged() with { StatusCode = (int)response.StatusCode, Response = body });
            return response;
        }
        catch (Exception ex)
        {
            response?.Dispose();
            delivery.LastError = ex;
            delivery.Attempts.Add(Logged() with { Error = Describe(ex, outer, _policy.AttemptTimeout) });
            throw;
        }
    }

    /// <summary>
    /// Retries timeouts, connection errors (but not a refused address: that will not change in a second), 408, 429 and
    /// 5xx, unless the receiver asked for a longer wait than is worth holding a delivery open for.
    /// </summary>
    internal bool ShouldRetry(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException } => true,
        { Exception: { } ex } => ex is HttpRequestException && FindRefusal(ex) is null,
        { Result: { } response } => IsTransient(response.StatusCode) && !(RetryAfter(response) > _policy.MaxQuickRetryAfter),
        _ => false,
    };

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The wait a response asks for, if any and no longer than the in-process cap; a longer one is left to the outbox.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? asked = header?.Delta ?? (header?.Date is { } date ? date - _timeProvider.GetUtcNow() : null);
        return asked is { } wait ? (wait < TimeSpan.Zero ? TimeSpan.Zero : wait) : null;
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
        TimeoutRejectedException => $"Timed out after {timeout.TotalSeconds:0.#} s.",
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
