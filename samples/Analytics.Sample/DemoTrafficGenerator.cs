using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Analytics.Sample;

/// <summary>
/// Sends a steady, realistic mix of requests to this very host (loopback only) so the numbers have something to show:
/// mostly successes, some 404s, the flaky route's 500s, a few slow calls. About 20 requests a second.
/// </summary>
internal sealed class DemoTrafficGenerator(IServer server, IHostApplicationLifetime lifetime, ILogger<DemoTrafficGenerator> logger) : BackgroundService
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
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || !Uri.TryCreate(address.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1"), UriKind.Absolute, out var baseAddress))
        {
            return;
        }

        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            using var request = NextRequest();
            try
            {
                using var response = await client.SendAsync(request, stoppingToken);
            }
            catch (HttpRequestException ex)
            {
                logger.LogDebug(ex, "Demo request failed");
            }
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
}
