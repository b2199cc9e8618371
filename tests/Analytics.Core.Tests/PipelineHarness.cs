using Analytics.Pipeline;
using Analytics.Storage;
using Analytics.Telemetry;
using Analytics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Analytics.Tests;

/// <summary>The core services over a <see cref="FakeStore"/>, without a web host.</summary>
/// <remarks>
/// Several harnesses may share one <c>store</c>, as instances of an app share a database; each has its own
/// services. <c>configureServices</c> runs before the core services are added, so what it registers
/// (a <c>WebhookDeliveryPolicy</c>, a <c>StoreCapabilities</c>) replaces their defaults.
/// </remarks>
internal sealed class PipelineHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private bool _stopped;

    public PipelineHarness(
        Action<RequestAnalyticsOptions>? configure = null,
        WriteBackoff? backoff = null,
        TimeProvider? timeProvider = null,
        FakeStore? store = null,
        Action<IServiceCollection>? configureServices = null)
    {
        Store = store ?? new FakeStore();
        var services = new ServiceCollection();
        configureServices?.Invoke(services);
        services.AddLogging(logging => logging.AddFakeLogging().AddProvider(BrokenLogging).SetMinimumLevel(LogLevel.Debug));
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.TryAddSingleton<Analytics.Live.ILiveMessageSerializer, Live.TestLiveSerializer>(); // the JSON is the web package's
        AnalyticsCoreServices.Add(services);
        services.Configure(configure ?? (_ => { }));
        services.AddSingleton<IAnalyticsStore>(Store);
        services.Replace(ServiceDescriptor.Singleton(backoff ?? new WriteBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100), 1_000)));
        _services = services.BuildServiceProvider();
    }

    public FakeStore Store { get; }

    /// <summary>Gets the services, for those that have no property here (the alert evaluator, the webhook dispatcher).</summary>
    public IServiceProvider Services => _services;

    /// <summary>Gets every log entry the services wrote.</summary>
    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    /// <summary>Gets the broken provider beside the fake one: set its level to make logging throw.</summary>
    public ThrowingLoggerProvider BrokenLogging { get; } = new();

    public AnalyticsQueue Queue => _services.GetRequiredService<AnalyticsQueue>();

    public IAnalyticsPipeline Pipeline => _services.GetRequiredService<IAnalyticsPipeline>();

    public IAnalyticsTracker Tracker => _services.GetRequiredService<IAnalyticsTracker>();

    public System.Diagnostics.Metrics.IMeterFactory MeterFactory => _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();

    public AnalyticsWriter Writer => _services.GetRequiredService<AnalyticsWriter>();

    public Analytics.Live.LiveFeed Feed => _services.GetRequiredService<Analytics.Live.LiveFeed>();

    public Analytics.Metrics.PrometheusMetrics Prometheus => _services.GetRequiredService<Analytics.Metrics.PrometheusMetrics>();

    /// <summary>Gets the Prometheus exposition as the metrics endpoint writes it.</summary>
    public string PrometheusText(int streamSubscribers) => Prometheus.Write(Pipeline, streamSubscribers, _services.GetRequiredService<AnalyticsMetrics>());

    public static RequestRecord Request(int i, int status = 200) => new()
    {
        Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(i),
        Method = "GET",
        Route = "/items/{id}",
        Path = $"/items/{i}",
        StatusCode = status,
        Duration = TimeSpan.FromMilliseconds(1),
    };

    public Task StartAsync() => Writer.StartAsync(CancellationToken.None);

    public async Task StopAsync()
    {
        _stopped = true;
        await Writer.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            Store.Fail = false;
            Store.Release();
            await StopAsync();
        }

        await _services.DisposeAsync();
    }
}
