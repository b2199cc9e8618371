using System.Net;
using System.Net.Sockets;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

/// <summary>
/// The webhook client under a host's <c>ConfigureHttpClientDefaults</c>, as Aspire's service defaults set it: whatever
/// the defaults put on every client, deliveries keep their own retries, <c>Retry-After</c>, per-attempt timeout and
/// SSRF guard. The clock is fake and moved only by the test, so "20 s" and "8 s" are exact; a move is made only when no
/// attempt is on its way to the receiver, where it would fire that attempt's timeout instead.
/// </summary>
public class WebhookClientIsolationTests
{
    public enum HostDefaults
    {
        /// <summary><c>AddStandardResilienceHandler()</c>: its own retries, a 10 s attempt and a 30 s total timeout around ours.</summary>
        StandardResilienceHandler,

        /// <summary>A handler of the host's own (a header, 6 s a call, one more try), another primary handler and a 6 s client timeout.</summary>
        HostHandlerPrimaryAndTimeout,
    }

    internal const string HostHeader = "X-Host-Defaults";

    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(HostDefaults.StandardResilienceHandler)]
    [InlineData(HostDefaults.HostHandlerPrimaryAndTimeout)]
    public async Task ARetryAfterOfTwentySecondsIsWaitedOutInFull(HostDefaults defaults)
    {
        await using var receiver = await WebhookReceiver.StartAsync(0, new ScriptedResponse(503, RetryAfter: "20"));
        var clock = new TimerWatchingFakeTimeProvider(Start);
        await using var host = await StartAsync(defaults, clock, new WebhookDeliveryPolicy(), receiver.Url());

        var messageId = await WebhookTestApp.SendTestAsync(host);
        await Wait.UntilAsync(
            () => receiver.Received.Count == 1 && clock.HasTimerDueAt(Start + TimeSpan.FromSeconds(20)),
            Deadline,
            "the first attempt is answered 503 and the next one is scheduled for Retry-After");

        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.True(clock.HasTimerDueAt(Start + TimeSpan.FromSeconds(20)), "the 20 s wait was cut short: something outside the webhook pipeline timed it out");
        Assert.Single(receiver.Received);

        clock.Advance(TimeSpan.FromSeconds(1));
        await DeliveredAsync(host, messageId);

        var attempts = await AttemptsAsync(host);
        Assert.Equal([503, 200], attempts.Select(a => a.StatusCode));
        Assert.Equal(Start, attempts[0].Time);
        Assert.True(attempts[1].Time - attempts[0].Time >= TimeSpan.FromSeconds(20), $"the second attempt came {(attempts[1].Time - attempts[0].Time).TotalSeconds} s after the first");
        AssertNothingOfTheHostReachedTheReceiver(receiver);
    }

    [Theory]
    [InlineData(HostDefaults.StandardResilienceHandler)]
    [InlineData(HostDefaults.HostHandlerPrimaryAndTimeout)]
    public async Task AnAttemptAfterARetryAfterWaitMayRunPastSixSeconds(HostDefaults defaults)
    {
        // The reported case: the second attempt starts 4 s into the host's 10 s attempt, which cut it at 6 s.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await WebhookReceiver.StartAsync(0,
            new ScriptedResponse(503, RetryAfter: "4"), new ScriptedResponse(200, Hold: release.Task));
        var clock = new TimerWatchingFakeTimeProvider(Start);
        await using var host = await StartAsync(defaults, clock, new WebhookDeliveryPolicy(), receiver.Url());

        var messageId = await WebhookTestApp.SendTestAsync(host);
        await Wait.UntilAsync(
            () => receiver.Received.Count == 1 && clock.HasTimerDueAt(Start + TimeSpan.FromSeconds(4)),
            Deadline,
            "the first attempt is answered 503 and the next one is scheduled for Retry-After");
        clock.Advance(TimeSpan.FromSeconds(4));
        await Wait.UntilAsync(() => receiver.Received.Count == 2, Deadline, "the second attempt reaches the receiver, which holds it");

        clock.Advance(TimeSpan.FromSeconds(8));
        release.SetResult();
        await DeliveredAsync(host, messageId);

        var attempts = await AttemptsAsync(host);
        Assert.Equal([503, 200], attempts.Select(a => a.StatusCode));
        Assert.Equal(TimeSpan.FromSeconds(8), attempts[1].Duration);
        Assert.Null(attempts[1].Error);
        AssertNothingOfTheHostReachedTheReceiver(receiver);
    }

    [Theory]
    [InlineData(HostDefaults.StandardResilienceHandler)]
    [InlineData(HostDefaults.HostHandlerPrimaryAndTimeout)]
    public async Task AnAttemptIsCutByItsOwnTenSecondTimeoutAndLoggedAsATimeout(HostDefaults defaults)
    {
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await WebhookReceiver.StartAsync(0, new ScriptedResponse(200, Hold: never.Task));
        var clock = new FakeTimeProvider(Start);
        var policy = new WebhookDeliveryPolicy { QuickRetries = 0 }; // the delivery ends with the cut attempt, so its log is written
        await using var host = await StartAsync(defaults, clock, policy, receiver.Url());

        var messageId = await WebhookTestApp.SendTestAsync(host);
        await Wait.UntilAsync(() => receiver.Received.Count == 1, Deadline, "the attempt reaches the receiver, which never answers");

        clock.Advance(TimeSpan.FromSeconds(9)); // a cut here (at 6 s, say) would log 9 s
        clock.Advance(TimeSpan.FromSeconds(1));
        var store = host.App.Services.GetRequiredService<WebhookSubscriptions>().Store!;
        await Wait.UntilAsync(async () => (await store.GetWebhookMessageAsync(messageId, default))?.Deliveries == 1, Deadline, "the delivery ends");

        var attempt = Assert.Single(await AttemptsAsync(host));
        Assert.Null(attempt.StatusCode);
        Assert.Equal("Timed out after 10 s.", attempt.Error);
        Assert.Equal(TimeSpan.FromSeconds(10), attempt.Duration);
        Assert.Equal(WebhookMessageState.Pending, (await store.GetWebhookMessageAsync(messageId, default))!.State); // the outbox tries again later
        never.SetResult();
    }

    [Theory]
    [InlineData(HostDefaults.StandardResilienceHandler)]
    [InlineData(HostDefaults.HostHandlerPrimaryAndTimeout)]
    public async Task APrivateAddressIsRefusedByTheGuardOnceWithoutAConnection(HostDefaults defaults)
    {
        // Loopback with a listener that would see a connection: only local addresses are ever a target in tests.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var clock = new FakeTimeProvider(Start);
            await using var host = await StartAsync(defaults, clock, new WebhookDeliveryPolicy(), receiverUrl: null);
            await SendOneTestToAsync(host, port);

            var attempt = Assert.Single(await AttemptsAsync(host)); // a refusal is not retried in process, by anyone
            Assert.StartsWith("Refused to connect to '127.0.0.1'", attempt.Error);
            Assert.Null(attempt.StatusCode);
            Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Name == "WebhookAddressRefused");
            Assert.False(listener.Pending(), "a connection reached the listener");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task APrimaryHandlerSwappedInAfterEveryConfigurationFailsDeliveriesInsteadOfBypassingTheGuard()
    {
        // Not a default: a post-configuration runs after our client's own, so only the check before each attempt stops it.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var host = await EndpointTestApp.StartAsync(configureBuilder: b =>
            {
                b.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Start));
                b.Services.PostConfigureAll<Microsoft.Extensions.Http.HttpClientFactoryOptions>(o =>
                    o.HttpMessageHandlerBuilderActions.Add(handlers => handlers.PrimaryHandler = new SocketsHttpHandler()));
            });
            await SendOneTestToAsync(host, port);

            var attempt = Assert.Single(await AttemptsAsync(host));
            Assert.StartsWith("Not sent: the webhook client's primary handler (SocketsHttpHandler) is not the SSRF-guarded one", attempt.Error);
            Assert.False(listener.Pending(), "a connection reached the listener");
        }
        finally
        {
            listener.Stop();
        }
    }

    private static Task<AnalyticsTestHost> StartAsync(HostDefaults defaults, FakeTimeProvider clock, WebhookDeliveryPolicy policy, string? receiverUrl) =>
        EndpointTestApp.StartAsync(
            o =>
            {
                if (receiverUrl is null)
                {
                    return;
                }

                o.Webhooks.AllowPrivateNetworks = true; // the receiver is on 127.0.0.1
                var subscription = new WebhookSubscriptionOptions { Id = "ops", Url = receiverUrl };
                subscription.EventTypes.Add(WebhookEventTypes.Test);
                subscription.Secrets.Add(WebhookTestApp.Secret);
                o.Webhooks.Subscriptions.Add(subscription);
            },
            configureBuilder: b =>
            {
                b.Services.AddSingleton<TimeProvider>(clock);
                b.Services.AddSingleton(policy);

                // After AddRequestAnalytics: defaults registered later still run before our named client's configuration.
                switch (defaults)
                {
                    case HostDefaults.StandardResilienceHandler:
                        b.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
                        break;
                    case HostDefaults.HostHandlerPrimaryAndTimeout:
                        b.Services.ConfigureHttpClientDefaults(http =>
                        {
                            http.AddHttpMessageHandler(sp => new HostHandler(sp.GetRequiredService<TimeProvider>()));
                            http.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler()); // no connect callback, redirects followed
                            http.ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(6));
                        });
                        break;
                }
            });

    private static async Task DeliveredAsync(AnalyticsTestHost host, string messageId)
    {
        var store = host.App.Services.GetRequiredService<WebhookSubscriptions>().Store!;
        await Wait.UntilAsync(
            async () => (await store.GetWebhookMessageAsync(messageId, default))?.State == WebhookMessageState.Delivered,
            Deadline,
            "the message is delivered");
    }

    /// <summary>The deliveries log of subscription <c>ops</c>, oldest first.</summary>
    /// <summary>Subscribes <c>http://127.0.0.1:{port}/hook</c>, queues a test message to it and waits until its delivery ends.</summary>
    private static async Task SendOneTestToAsync(AnalyticsTestHost host, int port)
    {
        var subscriptions = host.App.Services.GetRequiredService<WebhookSubscriptions>();
        await subscriptions.Store!.AddWebhookSubscriptionAsync(
            new WebhookSubscription { Id = "ops", Url = $"http://127.0.0.1:{port}/hook", EventTypes = [WebhookEventTypes.Test], Secrets = [WebhookTestApp.Secret] },
            default);
        await subscriptions.ReloadAsync(default);

        var messageId = await WebhookTestApp.SendTestAsync(host);
        await Wait.UntilAsync(
            async () => (await subscriptions.Store.GetWebhookMessageAsync(messageId, default))?.Deliveries == 1,
            Deadline,
            "the delivery ends");
    }

    private static async Task<WebhookAttempt[]> AttemptsAsync(AnalyticsTestHost host)
    {
        var store = host.App.Services.GetRequiredService<WebhookSubscriptions>().Store!;
        return [.. (await store.ReadWebhookAttemptsAsync("ops", 100, null, default)).OrderBy(a => a.Attempt)];
    }

    private static void AssertNothingOfTheHostReachedTheReceiver(WebhookReceiver receiver) =>
        Assert.All(receiver.Received, r => Assert.False(r.Headers.ContainsKey(HostHeader), "a host handler's header reached the receiver"));

    /// <summary>
    /// Stands for a handler that a host's service defaults put on every client: it stamps a header, gives each call
    /// 6 s on the host's clock, and tries a failed call once more.
    /// </summary>
    private sealed class HostHandler(TimeProvider clock) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation(HostHeader, "1");
            for (var call = 1; ; call++)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(6), clock);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                try
                {
                    return await base.SendAsync(request, linked.Token);
                }
                catch (Exception) when (call == 1 && !cancellationToken.IsCancellationRequested)
                {
                    // one more try
                }
            }
        }
    }
}
