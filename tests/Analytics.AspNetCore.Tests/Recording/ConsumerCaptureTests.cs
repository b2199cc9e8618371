using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Analytics.Pipeline;
using Analytics.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Recording;

/// <summary>Who called (header, claim, resolver) and which release served, as the middleware records them.</summary>
public class ConsumerCaptureTests
{
    private const string Header = "X-Client-Id";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheHeaderNamesTheConsumerTrimmedAndCutTo100Characters()
    {
        await using var app = await CapturingApp.StartAsync(o => o.ConsumerHeader = Header);
        var longId = new string('a', 150);

        await app.GetAsync("/items/1", header: "  acme  ");
        await app.GetAsync("/items/2", header: longId);
        await app.GetAsync("/items/3", header: "   ");
        await app.GetAsync("/items/4");

        var consumers = await app.ConsumersByPathAsync();
        Assert.Equal("acme", consumers["/items/1"]);
        Assert.Equal(new string('a', 100), consumers["/items/2"]);
        Assert.Null(consumers["/items/3"]);
        Assert.Null(consumers["/items/4"]);
    }

    [Fact]
    public async Task HeaderThenClaimThenResolverTheFirstNonEmptyWins()
    {
        await using var app = await CapturingApp.StartAsync(
            o => (o.ConsumerHeader, o.ConsumerClaim) = (Header, "sub"),
            analytics => analytics.ResolveConsumer(context => context.Request.Query["as"]));

        await app.GetAsync("/items/1?as=resolved", header: "from-header", user: "from-claim");
        await app.GetAsync("/items/2?as=resolved", header: "", user: "from-claim");
        await app.GetAsync("/items/3?as=resolved");
        await app.GetAsync("/items/4?as=%20");
        await app.GetAsync("/items/5?as=bell%07ringer");

        var consumers = await app.ConsumersByPathAsync();
        Assert.Equal("from-header", consumers["/items/1"]);
        Assert.Equal("from-claim", consumers["/items/2"]);
        Assert.Equal("resolved", consumers["/items/3"]);
        Assert.Null(consumers["/items/4"]);
        Assert.Equal("bell\uFFFDringer", consumers["/items/5"]); // a control character is replaced, the caller still counted
    }

    [Fact]
    public async Task AResolverThatThrowsLeavesTheRequestAloneAndIsLoggedOncePerInterval()
    {
        await using var app = await CapturingApp.StartAsync(
            configureAnalytics: analytics => analytics.ResolveConsumer(_ => throw new InvalidOperationException("resolver bug")));

        for (int i = 1; i <= 3; i++)
        {
            using var response = await app.GetAsync($"/items/{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var consumers = await app.ConsumersByPathAsync();
        Assert.Equal(3, consumers.Count);
        Assert.All(consumers.Values, Assert.Null);
        var warning = Assert.Single(app.Host.Logs.GetSnapshot(), r => r.Id.Id == 160);
        Assert.Equal("ConsumerResolverFailed", warning.Id.Name);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Equal("resolver bug", warning.Exception?.Message);
    }

    [Fact]
    public async Task NothingConfiguredNamesNoConsumerAndCostsNothing()
    {
        await using var app = await CapturingApp.StartAsync();

        await app.GetAsync("/items/1", header: "acme");

        Assert.Null((await app.ConsumersByPathAsync())["/items/1"]);
        Assert.Null(app.Host.App.Services.GetRequiredService<RequestAnalyticsMiddlewareSettings>().Consumers);
    }

    [Fact]
    public async Task TheReleaseOptionIsStampedOnEveryRequestAndPostedEvent()
    {
        await using var app = await CapturingApp.StartAsync(o => o.Release = "2.4.1");

        await app.GetAsync("/items/1");
        await app.GetAsync("/status/500");
        using var posted = await app.PostEventAsync(key: null);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        await app.FlushAsync();
        Assert.Equal(["2.4.1", "2.4.1"], app.Requests.Select(r => r.Release));
        Assert.Equal("2.4.1", Assert.Single(app.Events).Release);
    }

    [Fact]
    public async Task WithoutTheOptionTheReleaseIsTheEntryAssemblysVersion()
    {
        await using var app = await CapturingApp.StartAsync();

        await app.GetAsync("/items/1");

        await app.FlushAsync();
        var expected = HostIdentity.DefaultRelease(System.Reflection.Assembly.GetEntryAssembly());
        Assert.False(string.IsNullOrEmpty(expected));
        Assert.Equal(expected, Assert.Single(app.Requests).Release);
    }

    [Fact]
    public async Task ANamedIngestKeyNamesTheConsumerOfTheEventsPostedWithIt()
    {
        const string Plain = "plain-key-0123456789abcdef";
        const string Billing = "billing-key-0123456789abcdef";
        await using var app = await CapturingApp.StartAsync(o =>
        {
            o.IngestKeys.Add(Plain);
            o.NamedIngestKeys["billing-service"] = Billing;
            o.NamedIngestKeys["mobile-app"] = "mobile-key-0123456789abcdef";
        });

        using var named = await app.PostEventAsync(Billing, remote: "203.0.113.9", name: "named");
        using var plain = await app.PostEventAsync(Plain, remote: "203.0.113.9", name: "plain");
        using var local = await app.PostEventAsync(key: null, name: "local");
        using var wrong = await app.PostEventAsync("billing-key-0123456789abcdeX", remote: "203.0.113.9", name: "wrong");

        Assert.Equal(
            [HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Forbidden],
            [named.StatusCode, plain.StatusCode, local.StatusCode, wrong.StatusCode]);
        await app.FlushAsync();
        var consumers = app.Events.ToDictionary(e => e.Name, e => e.Consumer);
        Assert.Equal(new Dictionary<string, string?> { ["named"] = "billing-service", ["plain"] = null, ["local"] = null }, consumers);
    }

    [Fact]
    public void ResolveConsumerRefusesNullArguments()
    {
        var builder = new ServiceCollection().AddRequestAnalytics();

        Assert.Equal("resolve", Assert.Throws<ArgumentNullException>(() => builder.ResolveConsumer(null!)).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IRequestAnalyticsBuilder)null!).ResolveConsumer(_ => null)).ParamName);
        Assert.Same(builder, builder.ResolveConsumer(_ => null));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(" \t ", null)]
    [InlineData(" acme ", "acme")]
    [InlineData("tab\there", "tab\uFFFDhere")]
    [InlineData("pair\U0001F600ok", "pair\U0001F600ok")]
    public void NormalizeKeepsPrintableTextAndReplacesTheRest(string? value, string? expected) =>
        Assert.Equal(expected, ConsumerCapture.Normalize(value));

    [Fact]
    public void NormalizeReplacesLoneSurrogates()
    {
        // Not theory data: xUnit carries a theory's strings as UTF-8, which cannot hold half a pair.
        Assert.Equal("lone\uFFFDhigh", ConsumerCapture.Normalize("lone\uD800high"));
        Assert.Equal("lone\uFFFDlow", ConsumerCapture.Normalize("lone\uDC00low"));
        Assert.Equal("end\uFFFD", ConsumerCapture.Normalize("end\uD83D"));
        Assert.Equal("\uFFFD\U0001F600", ConsumerCapture.Normalize("\uDE00\U0001F600"));
    }

    [Fact]
    public void NormalizeCutsTo100CharactersOnACharacterBoundary()
    {
        Assert.Equal(new string('b', 100), ConsumerCapture.Normalize(new string('b', 150)));
        Assert.Equal(new string('b', 99), ConsumerCapture.Normalize(new string('b', 99) + "\U0001F600"));
        Assert.Equal(new string('b', 98), ConsumerCapture.Normalize(new string('b', 98) + " \U0001F600")); // no trailing blank
    }

    /// <summary>The endpoint test app, with every committed request and event kept as the writer hands them over.</summary>
    private sealed class CapturingApp : IAsyncDisposable, IBatchListener
    {
        private readonly ConcurrentQueue<RequestRecord> _requests = new();
        private readonly ConcurrentQueue<EventRecord> _events = new();

        public AnalyticsTestHost Host { get; private set; } = null!;

        public IReadOnlyList<RequestRecord> Requests => [.. _requests];

        public IReadOnlyList<EventRecord> Events => [.. _events];

        public static async Task<CapturingApp> StartAsync(
            Action<RequestAnalyticsOptions>? configure = null,
            Action<IRequestAnalyticsBuilder>? configureAnalytics = null)
        {
            var app = new CapturingApp();
            app.Host = await EndpointTestApp.StartAsync(
                configure,
                withAuthentication: true,
                configureBuilder: builder =>
                {
                    builder.Services.AddSingleton<IBatchListener>(app);
                    configureAnalytics?.Invoke(builder.Services.AddRequestAnalytics());
                });
            return app;
        }

        public void Committed(in CommittedBatch batch)
        {
            foreach (var request in batch.Batch.Requests)
            {
                _requests.Enqueue(request);
            }

            foreach (var analyticsEvent in batch.Batch.Events)
            {
                _events.Enqueue(analyticsEvent);
            }
        }

        public Task<HttpResponseMessage> GetAsync(string path, string? header = null, string? user = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (header is not null)
            {
                request.Headers.TryAddWithoutValidation(Header, header);
            }

            if (user is not null)
            {
                request.Headers.Add(EndpointTestApp.UserHeader, user);
            }

            return Host.Client.SendAsync(request);
        }

        public Task<HttpResponseMessage> PostEventAsync(string? key, string? remote = null, string name = "build")
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/analytics/api/events")
            {
                Content = new StringContent($$"""{ "name": "{{name}}" }""", Encoding.UTF8, "application/json"),
            };
            if (key is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Analytics-Key", key);
            }

            if (remote is not null)
            {
                request.Headers.Add(EndpointTestApp.RemoteHeader, remote);
            }

            return Host.Client.SendAsync(request);
        }

        public Task FlushAsync() => Host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        /// <summary>The consumer of each recorded request of the test's own routes, by path.</summary>
        public async Task<Dictionary<string, string?>> ConsumersByPathAsync()
        {
            await FlushAsync();
            return Requests.Where(r => r.Route.StartsWith("/items", StringComparison.Ordinal))
                .ToDictionary(r => r.Path.Split('?')[0], r => r.Consumer);
        }

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }
}
