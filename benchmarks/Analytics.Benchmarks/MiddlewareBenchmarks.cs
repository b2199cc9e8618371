using System.Net;
using Analytics.AspNetCore;
using Analytics.Pipeline;
using Analytics.Storage;
using Analytics.Telemetry;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks;

/// <summary>
/// One request through the analytics middleware on a <see cref="DefaultHttpContext"/>, against the same terminal
/// delegate without it: the added time and bytes per request. <see cref="WithAnalytics"/> runs the writer with a store
/// that discards batches, so the queue drains as it would in an app (and the writer's own work lands in the process-wide
/// figures); <see cref="MiddlewareOnly"/> takes each record back off the queue on the benchmark's thread, with no writer,
/// which isolates what the request path itself costs and allocates; <see cref="PlacedOutermost"/> does the same with the
/// recorder placed around the pipeline and <c>UseRequestAnalytics()</c>'s marker inside it, as a host runs them.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private static readonly RequestDelegate Terminal = context =>
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return Task.CompletedTask;
    };

    private ServiceProvider _services = null!;
    private RequestDelegate _withAnalytics = null!;
    private RequestDelegate _middlewareOnly = null!;
    private RequestDelegate _placedOutermost = null!;
    private AnalyticsQueue _isolatedQueue = null!;
    private DefaultHttpContext _context = null!;

    [Params(true, false)]
    public bool AnonymizeClientIp { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddRequestAnalytics(o => o.AnonymizeClientIp = AnonymizeClientIp);
        services.Replace(ServiceDescriptor.Singleton<IAnalyticsStore, DiscardingStore>());
        _services = services.BuildServiceProvider();
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        var queue = _services.GetRequiredService<AnalyticsQueue>();
        var settings = _services.GetRequiredService<RequestAnalyticsMiddlewareSettings>();
        _withAnalytics = new RequestAnalyticsMiddleware(Terminal, queue, settings).InvokeAsync;
        _isolatedQueue = new AnalyticsQueue(
            _services.GetRequiredService<IOptions<RequestAnalyticsOptions>>(),
            _services.GetRequiredService<AnalyticsMetrics>(),
            TimeProvider.System,
            NullLogger<AnalyticsQueue>.Instance);
        _middlewareOnly = new RequestAnalyticsMiddleware(Terminal, _isolatedQueue, settings).InvokeAsync;

        // As an app runs it: the startup filter's recorder around the pipeline, UseRequestAnalytics()'s marker inside.
        var marker = new RequestAnalyticsMarkerMiddleware(Terminal, new RequestAnalyticsMiddleware(Terminal, _isolatedQueue, settings));
        _placedOutermost = new RequestAnalyticsMiddleware(marker.InvokeAsync, _isolatedQueue, settings, outermost: true).InvokeAsync;

        _context = new DefaultHttpContext();
        _context.Request.Method = HttpMethods.Get;
        _context.Request.Path = "/ping";
        _context.Request.Protocol = "HTTP/1.1";
        _context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.77");
        // Kestrel gives every connection (and pooled HTTP/2 stream) this feature; the middleware keeps its response
        // body counter there between requests.
        _context.Features.Set<IPersistentStateFeature>(new PersistentState());
        _context.SetEndpoint(new RouteEndpoint(Terminal, RoutePatternFactory.Parse("/ping"), 0, EndpointMetadataCollection.Empty, "GET /ping"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        var pipeline = _services.GetRequiredService<IAnalyticsPipeline>();
        Console.WriteLine($"// pipeline: accepted {pipeline.Accepted}, dropped {pipeline.Dropped}, written {pipeline.Written}");
        _services.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task WithoutAnalytics() => Terminal(_context);

    [Benchmark]
    public Task WithAnalytics() => _withAnalytics(_context);

    [Benchmark]
    public Task MiddlewareOnly()
    {
        var task = _middlewareOnly(_context);
        _isolatedQueue.TryTake(out _);
        return task;
    }

    /// <summary>The recorder around the pipeline and the marker where the app placed it, as a host runs them.</summary>
    [Benchmark]
    public Task PlacedOutermost()
    {
        var task = _placedOutermost(_context);
        _isolatedQueue.TryTake(out _);
        return task;
    }

    private sealed class PersistentState : IPersistentStateFeature
    {
        public IDictionary<object, object?> State { get; } = new Dictionary<object, object?>();
    }

    private sealed class DiscardingStore : IAnalyticsStore
    {
        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredRequest>>([]);

        public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredEvent>>([]);

        public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => AsyncEnumerable.Empty<RequestRollup>();

        public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => AsyncEnumerable.Empty<EventRollup>();

        public IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => AsyncEnumerable.Empty<ErrorRollup>();

        public Task<int> PurgeRawAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<int> PurgeRollupsAsync(Granularity granularity, DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
