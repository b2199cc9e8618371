using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

namespace Analytics.Sample;

/// <summary>
/// Sends a steady, realistic mix of requests to this very host (loopback only) so the numbers have something to show:
/// mostly successes, some 404s, the flaky route's 500s, a few slow calls, as three consumers. About 20 requests a second,
/// and now and then a few seconds of the quote stream (Server-Sent Events).
/// </summary>
internal sealed partial class DemoTrafficGenerator(
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<RequestAnalyticsOptions> options,
    TimeProvider time,
    ILogger<DemoTrafficGenerator> logger) : BackgroundService
{
    private static readonly string[] BrowserUserAgents =
    [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    ];

    private static readonly string[] SearchTerms = ["widget", "gadget", "bolt", "gear"];

    private static readonly string[] MobileUserAgents = ["CatalogueApp/5.2 (iOS 17.5)", "CatalogueApp/5.2 (Android 14) okhttp/4.12.0"];

    // The header RequestAnalytics:ConsumerHeader names (X-Client-Id on demo runs, Program.cs); sent even when it names none.
    private readonly string _consumerHeader = options.Value.ConsumerHeader ?? "X-Client-Id";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await DemoServer.LoopbackAddressAsync(server, lifetime, stoppingToken) is not { } baseAddress)
        {
            return;
        }

        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var streams = WatchQuotesAsync(client, stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            using var request = NextRequest();
            try
            {
                using var response = await client.SendAsync(request, stoppingToken);
            }
            catch (HttpRequestException ex)
            {
                LogRequestFailed(logger, ex);
            }
        }

        await streams;
    }

    /// <summary>Every 10 to 20 seconds, follows the quote stream for a few seconds, as a live ticker on a page would.</summary>
    private async Task WatchQuotesAsync(HttpClient client, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(2);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, time, stoppingToken);
                using var response = await client.GetAsync(
                    $"/quotes/live?seconds={Random.Shared.Next(2, 8)}", HttpCompletionOption.ResponseHeadersRead, stoppingToken);
                await using var body = await response.Content.ReadAsStreamAsync(stoppingToken);
                await body.CopyToAsync(Stream.Null, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                LogQuoteStreamFailed(logger, ex);
            }

            delay = TimeSpan.FromSeconds(Random.Shared.Next(10, 21));
        }
    }

    private HttpRequestMessage NextRequest()
    {
        var random = Random.Shared;
        var roll = random.Next(100);

        // Three consumers with their own mixes, so the consumers panel has something to compare: the web front end (most
        // of the traffic, the flaky route's 500s, invalid orders), the mobile app (quick reads) and a partner's
        // integration (few calls, but slow ones and the most failures). Scanners send no consumer header.
        var (consumer, request) = roll switch
        {
            < 50 => ("web-frontend", WebFrontendRequest(random)),
            < 82 => ("mobile-app", MobileAppRequest(random)),
            < 95 => ("partner-acme", PartnerRequest(random)),
            _ => ((string?)null, new HttpRequestMessage(HttpMethod.Get, $"/wp-admin/{random.Next(1000)}.php")),
        };

        if (consumer is not null)
        {
            request.Headers.Add(_consumerHeader, consumer);
        }

        var userAgent = consumer switch
        {
            "mobile-app" => MobileUserAgents[random.Next(MobileUserAgents.Length)],
            "partner-acme" => "acme-integration/2.3 okhttp/4.12.0",
            "web-frontend" => BrowserUserAgents[random.Next(BrowserUserAgents.Length)],
            _ => "curl/8.5.0",
        };
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);

        // Most requests come from one of 500 signed-in users, each on one of 120 networks (see DemoIdentity); the partner
        // calls as a service, from its own network.
        int user = random.Next(1, 501);
        if (consumer == "partner-acme")
        {
            request.Headers.Add(DemoIdentity.ClientHeader, $"203.0.113.{random.Next(1, 8)}");
            return request;
        }

        if (roll % 5 != 0)
        {
            request.Headers.Add(DemoIdentity.UserHeader, $"u{user}");
        }

        request.Headers.Add(DemoIdentity.ClientHeader, $"10.{user % 120}.{user % 7}.{random.Next(1, 255)}");
        return request;
    }

    // The routes behind the app's own policies (SampleAccess) get their share too, so the "Access and limits" panel has
    // refusals to show: anonymous calls to /account and /admin/reports are 401s, signed-in ones without the admin role
    // 403s, and the searches of both consumers together pass the limiter's 5 per 10 s, so some are 429s. Nothing calls
    // /legacy/export: the panel lists it among the routes never hit.
    private static HttpRequestMessage WebFrontendRequest(Random random) => random.Next(100) switch
    {
        < 26 => Get($"/items/{random.Next(1, 1100)}"),
        < 42 => Get($"/users/u{random.Next(1, 200)}/orders/{random.Next(1, 5000)}"),
        < 50 => PostOrder(random, withLines: random.Next(2) == 0),
        < 64 => Get("/flaky"),
        < 70 => Get("/slow"),
        < 76 => Get($"/search?q={SearchTerms[random.Next(SearchTerms.Length)]}"),
        < 80 => Get("/catalog"),
        < 84 => Get("/account"),
        < 88 => AdminReport(random),
        _ => Get("/ping"),
    };

    private static HttpRequestMessage MobileAppRequest(Random random) => random.Next(100) switch
    {
        < 45 => Get($"/items/{random.Next(1, 1020)}"),
        < 78 => Get($"/users/u{random.Next(1, 200)}/orders/{random.Next(1, 5000)}"),
        < 83 => Get("/flaky"),
        < 90 => Get($"/search?q={SearchTerms[random.Next(SearchTerms.Length)]}"),
        < 94 => Get("/catalog"),
        _ => Get("/ping"),
    };

    private static HttpRequestMessage AdminReport(Random random)
    {
        var request = Get("/admin/reports");
        if (random.Next(2) == 0)
        {
            request.Headers.Add(SampleAccess.RoleHeader, "admin");
        }

        return request;
    }

    private static HttpRequestMessage PartnerRequest(Random random) => random.Next(100) switch
    {
        < 40 => PostOrder(random, withLines: random.Next(10) != 0),
        < 65 => Get($"/slow?ms={random.Next(250, 900)}"),
        < 90 => Get("/flaky"),
        _ => Get($"/items/{random.Next(1, 1000)}"),
    };

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage PostOrder(Random random, bool withLines) => new(HttpMethod.Post, "/orders")
    {
        Content = JsonContent.Create(new
        {
            id = random.Next(1, 5000),
            userId = $"u{random.Next(1, 200)}",
            lines = withLines ? new[] { new { id = 1, name = "Widget", price = 9.99 } } : [],
        }),
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Demo request failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Demo quote stream failed")]
    private static partial void LogQuoteStreamFailed(ILogger logger, Exception exception);
}
