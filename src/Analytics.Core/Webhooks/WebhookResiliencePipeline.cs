using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Analytics.Webhooks;

/// <summary>
/// The quick retries of one webhook delivery, as the named pipeline of the webhook client's resilience handler
/// (Microsoft.Extensions.Http.Resilience, Polly underneath): exponential backoff with jitter, <c>Retry-After</c>
/// honoured up to <see cref="WebhookDeliveryPolicy.MaxQuickRetryAfter"/> (a longer one is left to the outbox), and a
/// timeout per attempt. Each attempt it retries is made, signed and logged by <see cref="WebhookAttemptHandler"/> below it.
/// </summary>
internal static class WebhookResiliencePipeline
{
    /// <summary>The pipeline's name on the webhook client; the registry knows it as <c>Analytics.Webhooks-delivery</c>.</summary>
    public const string Name = "delivery";

    /// <summary>Adds the retry and the per-attempt timeout, both on <paramref name="timeProvider"/>, to <paramref name="builder"/>.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, WebhookDeliveryPolicy policy, TimeProvider timeProvider)
    {
        builder.TimeProvider = timeProvider; // Polly.Extensions takes it from DI too; said here so that no default can differ
        builder
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // Polly needs at least one retry; with none wanted, ShouldHandle never asks for it.
                MaxRetryAttempts = Math.Max(policy.QuickRetries, 1),
                Delay = policy.QuickDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(policy.QuickRetries > 0 && ShouldRetry(args.Outcome, policy, timeProvider)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome is { Result: { } response } ? RetryAfter(response, timeProvider) : null),
            })
            .AddTimeout(policy.AttemptTimeout);
    }

    /// <summary>
    /// Retries timeouts, connection errors (but not a refused address: that will not change in a second), 408, 429 and
    /// 5xx, unless the receiver asked for a longer wait than is worth holding a delivery open for.
    /// </summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, WebhookDeliveryPolicy policy, TimeProvider timeProvider) => outcome switch
    {
        { Exception: TimeoutRejectedException } => true,
        { Exception: { } ex } => ex is HttpRequestException && WebhookAttemptHandler.FindRefusal(ex) is null,
        { Result: { } response } => IsTransient(response.StatusCode) && !(RetryAfter(response, timeProvider) > policy.MaxQuickRetryAfter),
        _ => false,
    };

    /// <summary>The wait a response asks for, if any (a date in the past asks for none).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? asked = header?.Delta ?? (header?.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        return asked is { } wait ? (wait < TimeSpan.Zero ? TimeSpan.Zero : wait) : null;
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
