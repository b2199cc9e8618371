using Analytics.AspNetCore.Endpoints;
using Analytics.Live;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Analytics.Benchmarks;

/// <summary>
/// The writer's throughput with no live-stream subscriber against 100 of them, all reading or one never reading (DESIGN §6: a slow
/// subscriber never slows the writer). One operation tracks 20 000 custom events (not rate-capped, so every one is
/// fanned out to every subscriber) and flushes them into a real SQLite file. The fan-out loop serializes each message once;
/// the 99 reading subscribers frame and write it as the SSE endpoint does, on the thread pool, competing with the writer
/// for the two cores.
/// </summary>
[MemoryDiagnoser]
public class LiveFeedBenchmarks
{
    private const int Records = 20_000;

    private readonly List<Task> _readers = [];
    private readonly List<LiveSubscriber> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private ServiceProvider _services = null!;
    private IAnalyticsTracker _tracker = null!;
    private IAnalyticsPipeline _pipeline = null!;
    private string _directory = null!;
    private long _delivered;

    /// <summary>No subscriber (the baseline), 100 that all read, or 99 that read and one that never does.</summary>
    [Params("none", "100 reading", "99 reading + 1 stalled")]
    public string Subscribers { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("analytics-bench-").FullName;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddRequestAnalytics().UseSqlite(Path.Combine(_directory, "analytics.db"));
        _services = services.BuildServiceProvider();
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _tracker = _services.GetRequiredService<IAnalyticsTracker>();
        _pipeline = _services.GetRequiredService<IAnalyticsPipeline>();
        var feed = _services.GetRequiredService<LiveFeed>();
        var count = Subscribers == "none" ? 0 : 100;
        var stalled = Subscribers.Contains("stalled", StringComparison.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var subscriber = feed.TrySubscribe(null)!;
            _subscribers.Add(subscriber);
            if (i > 0 || !stalled) // the first one never reads when one is stalled
            {
                _readers.Add(Task.Run(() => ReadAsync(subscriber)));
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var stalledDropped = _subscribers.Count > 0 ? _subscribers[0].TakeDropped() : 0;
        _stop.Cancel();
        Task.WhenAll(_readers).ContinueWith(_ => { }).GetAwaiter().GetResult();
        foreach (var hosted in _services.GetServices<IHostedService>().Reverse())
        {
            hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        Console.WriteLine($"// pipeline: accepted {_pipeline.Accepted}, dropped {_pipeline.Dropped}, written {_pipeline.Written}; " +
            $"messages written by readers {_delivered}; the stalled subscriber dropped {stalledDropped}");
        _services.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public async Task TrackAndFlush()
    {
        for (var i = 0; i < Records; i++)
        {
            _tracker.Track("load");
        }

        await _pipeline.FlushAsync();
    }

    private async Task ReadAsync(LiveSubscriber subscriber)
    {
        var sink = System.IO.Pipelines.PipeWriter.Create(Stream.Null);
        try
        {
            while (await subscriber.WaitToReadAsync(_stop.Token))
            {
                while (subscriber.TryRead(out var message))
                {
                    LiveStream.WriteEvent(sink, message.Kind.ToWireName(), message.Id, message.Json.Span, subscriber.TakeDropped());
                    await sink.FlushAsync();
                    Interlocked.Increment(ref _delivered);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
