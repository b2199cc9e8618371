using Microsoft.AspNetCore.Hosting.Server;

namespace Analytics.Sample;

/// <summary>
/// Sends a steady, realistic mix of requests to this very host (loopback only) so the numbers have something to show:
/// mostly successes, some 404s, the flaky route's 500s, a few slow calls. About 20 requests a second, and now and then a
/// few seconds of the quote stream (Server-Sent Events).
/// </summary>
internal sealed partial class DemoTrafficGenerator(IServer server, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<DemoTrafficGenerator> logger)
    : BackgroundService
{
    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "curl/8.5.0",
        "okhttp/4.12.0",
    ];

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
                using var response = await client.GetAsync($"/quotes/live?seconds={Random.Shared.Next(2, 8)}", HttpCompletionOption.ResponseHeadersRead, stoppingToken);
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

    private static HttpRequestMessage NextRequest()
    {
        var random = Random.Shared;
        var roll = random.Next(100);
        var request = roll switch
        {
            < 30 => new HttpRequestMessage(HttpMethod.Get, $"/items/{random.Next(1, 1100)}"),
            < 50 => new HttpRequestMessage(HttpMethod.Get, $"/users/u{random.Next(1, 200)}/orders/{random.Next(1, 5000)}"),
            < 60 => new HttpRequestMessage(HttpMethod.Post, "/orders")
            {
                Content = JsonContent.Create(new { id = random.Next(1, 5000), userId = $"u{random.Next(1, 200)}", lines = roll % 2 == 0 ? new[] { new { id = 1, name = "Widget", price = 9.99 } } : [] }),
            },
            < 75 => new HttpRequestMessage(HttpMethod.Get, "/flaky"),
            < 80 => new HttpRequestMessage(HttpMethod.Get, "/slow"),
            < 85 => new HttpRequestMessage(HttpMethod.Get, $"/wp-admin/{random.Next(1000)}.php"),
            _ => new HttpRequestMessage(HttpMethod.Get, "/ping"),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgents[random.Next(UserAgents.Length)]);

        // Most requests come from one of 500 signed-in users, each on one of 120 networks (see DemoIdentity).
        int user = random.Next(1, 501);
        if (roll % 5 != 0)
        {
            request.Headers.Add(DemoIdentity.UserHeader, $"u{user}");
        }

        request.Headers.Add(DemoIdentity.ClientHeader, $"10.{user % 120}.{user % 7}.{random.Next(1, 255)}");
        return request;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Demo request failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Demo quote stream failed")]
    private static partial void LogQuoteStreamFailed(ILogger logger, Exception exception);
}
