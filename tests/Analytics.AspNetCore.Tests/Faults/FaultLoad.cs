using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Analytics.AspNetCore.Tests.Faults;

/// <summary>
/// A paced load for the fault tests: every <c>tick</c>, a burst of requests sent together, each to a path of its own
/// (<c>/users/TAG/orders/ID</c>) so that a stored row names the request it records, and one in 50 to <c>/flaky</c> so the
/// rollups hold failures too. Each burst is awaited before the next, so a slow server lowers the rate instead of piling
/// up requests. It stops when asked, after <c>maxRequests</c>, or after two minutes, whichever comes first.
/// </summary>
internal sealed class FaultLoad
{
    public const string OrdersRoute = "/users/{userId}/orders/{orderId:int}";

    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(2);

    private readonly HttpClient _client;
    private readonly string _tag;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task _run;
    private int _sent;
    private volatile bool _stopping;

    private FaultLoad(string origin, string tag, int burst, TimeSpan tick, int maxRequests)
    {
        _client = new HttpClient { BaseAddress = new Uri(origin), Timeout = TimeSpan.FromSeconds(30) };
        _tag = tag;
        _run = Task.Run(async () =>
        {
            var started = Stopwatch.StartNew();
            using var timer = new PeriodicTimer(tick);
            while (!_stopping && started.Elapsed < MaxDuration && Volatile.Read(ref _sent) < maxRequests && await timer.WaitForNextTickAsync())
            {
                await Task.WhenAll(Enumerable.Range(0, burst).Select(_ => SendAsync()));
            }
        });
    }

    /// <summary>Gets each request to the orders route answered 200, with when its response was in.</summary>
    public ConcurrentQueue<(int Id, long At)> Acknowledged { get; } = new();

    /// <summary>Gets what went wrong with requests that should have succeeded: an exception, or an unexpected status.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    public int Sent => Volatile.Read(ref _sent);

    public bool IsCompleted => _run.IsCompleted;

    public static FaultLoad Start(string origin, string tag, int burst = 4, TimeSpan? tick = null, int maxRequests = 60_000) =>
        new(origin, tag, burst, tick ?? TimeSpan.FromMilliseconds(20), maxRequests);

    /// <summary>Stops the load and waits for the requests in flight; rethrows what broke the load itself.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        await _run.WaitAsync(TimeSpan.FromSeconds(60));
        _client.Dispose();
    }

    /// <summary>Gets the ids of the requests acknowledged after <paramref name="timestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public HashSet<int> AcknowledgedAfter(long timestamp) => [.. Acknowledged.Where(a => a.At > timestamp).Select(a => a.Id)];

    /// <summary>Gets the order id from a recorded path, <c>/users/TAG/orders/ID</c>.</summary>
    public static int OrderId(string path) => int.Parse(path.AsSpan(path.LastIndexOf('/') + 1), CultureInfo.InvariantCulture);

    private async Task SendAsync()
    {
        var id = Interlocked.Increment(ref _sent);
        var flaky = id % 50 == 0;
        try
        {
            using var response = await _client.GetAsync(flaky ? "/flaky" : $"/users/{_tag}/orders/{id}");
            var at = Stopwatch.GetTimestamp();
            if (flaky)
            {
                return; // answers 500 one call in five by design
            }

            if (response.StatusCode == HttpStatusCode.OK)
            {
                Acknowledged.Enqueue((id, at));
            }
            else
            {
                _failures.Enqueue($"request {id}: {(int)response.StatusCode}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            _failures.Enqueue($"request {id}: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
