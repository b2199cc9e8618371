using System.Net;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Timeout;

namespace Analytics.Tests.Webhooks;

/// <summary>The quick-retry pipeline alone, on a fake clock, with attempts that are functions instead of HTTP calls.</summary>
public class WebhookResiliencePipelineTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    // No backoff, so that counting attempts needs no clock.
    private static readonly WebhookDeliveryPolicy NoBackoff = new() { QuickDelay = TimeSpan.Zero };

    private static ResiliencePipeline<HttpResponseMessage> Build(WebhookDeliveryPolicy policy, TimeProvider clock)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        WebhookResiliencePipeline.Configure(builder, policy, clock);
        return builder.Build();
    }

    private static HttpResponseMessage Answer(int status, string? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }

    [Theory]
    [InlineData(500, 3)]
    [InlineData(503, 3)]
    [InlineData(408, 3)]
    [InlineData(429, 3)]
    [InlineData(200, 1)]
    [InlineData(302, 1)] // a redirect is a failure for the outbox, not something a second try changes
    [InlineData(400, 1)]
    [InlineData(410, 1)] // disables the subscription: never retried
    public async Task OnlyTransientAnswersAreTriedAgainAndAtMostTwice(int status, int attempts)
    {
        var calls = 0;
        using var response = await Build(NoBackoff, new FakeTimeProvider(Start)).ExecuteAsync(_ =>
        {
            calls++;
            return ValueTask.FromResult(Answer(status));
        });

        Assert.Equal(attempts, calls);
        Assert.Equal(status, (int)response.StatusCode);
    }

    [Fact]
    public async Task ARefusedAddressIsNotTriedAgainButAConnectionErrorIs()
    {
        var pipeline = Build(NoBackoff, new FakeTimeProvider(Start));
        var refusedCalls = 0;
        var refused = new HttpRequestException("refused", new WebhookAddressRefusedException("localhost", IPAddress.Loopback, "a loopback address"));
        await Assert.ThrowsAsync<HttpRequestException>(async () => await pipeline.ExecuteAsync<HttpResponseMessage>(_ =>
        {
            refusedCalls++;
            throw refused;
        }));

        var failedCalls = 0;
        await Assert.ThrowsAsync<HttpRequestException>(async () => await pipeline.ExecuteAsync<HttpResponseMessage>(_ =>
        {
            failedCalls++;
            throw new HttpRequestException("connection refused");
        }));

        Assert.Equal((1, 3), (refusedCalls, failedCalls));
    }

    [Fact]
    public async Task ARetryAfterIsWaitedOutOnTheClockInsteadOfTheBackoff()
    {
        var clock = new TimerWatchingFakeTimeProvider(Start);
        var calls = 0;
        var delivery = Build(WebhookDeliveryPolicy.Default, clock).ExecuteAsync(_ =>
        {
            return ValueTask.FromResult(Interlocked.Increment(ref calls) == 1 ? Answer(503, "20") : Answer(200));
        }).AsTask();

        await Wait.UntilAsync(() => clock.HasTimerDueAt(Start + TimeSpan.FromSeconds(20)), Deadline, "the retry waits for Retry-After");
        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(1, Volatile.Read(ref calls));
        clock.Advance(TimeSpan.FromSeconds(1));

        using var response = await delivery.WaitAsync(Deadline);
        Assert.Equal((HttpStatusCode.OK, 2), (response.StatusCode, calls));
    }

    [Fact]
    public async Task ARetryAfterLongerThanTheCapIsLeftToTheOutbox()
    {
        var calls = 0;
        using var response = await Build(WebhookDeliveryPolicy.Default, new FakeTimeProvider(Start)).ExecuteAsync(_ =>
        {
            calls++;
            return ValueTask.FromResult(Answer(429, "31"));
        });

        Assert.Equal((HttpStatusCode.TooManyRequests, 1), (response.StatusCode, calls));
    }

    [Fact]
    public async Task AnAttemptIsCutAtTheAttemptTimeoutAndTriedAgain()
    {
        var clock = new TimerWatchingFakeTimeProvider(Start);
        var policy = new WebhookDeliveryPolicy { QuickRetries = 1, QuickDelay = TimeSpan.Zero };
        var calls = 0;
        var delivery = Build(policy, clock).ExecuteAsync(async token =>
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return Answer(200);
        }).AsTask();

        await Wait.UntilAsync(() => clock.HasTimerDueAt(Start + TimeSpan.FromSeconds(10)), Deadline, "the first attempt runs");
        clock.Advance(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => clock.HasTimerDueAt(Start + TimeSpan.FromSeconds(20)), Deadline, "the second attempt runs");
        clock.Advance(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => delivery.WaitAsync(Deadline));
        Assert.Equal(2, calls);
    }
}
