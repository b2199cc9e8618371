using Analytics.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Analytics.Benchmarks;

/// <summary>
/// The library's pipeline as the ingest benchmarks drive it: services started without a web host, a queue that holds
/// every record (the benchmarks time the writer, not the drop path), and a stop that fails if any record was lost.
/// </summary>
internal sealed class PipelineHarness : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly AnalyticsQueue _queue;

    public PipelineHarness(RequestRecord[] records, double rawSampleRate, Action<IRequestAnalyticsBuilder> useStore)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        useStore(services.AddRequestAnalytics(o =>
        {
            o.RawSampleRate = rawSampleRate;
            o.QueueCapacity = records.Length + 1;
        }));
        _services = services.BuildServiceProvider();
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        _queue = _services.GetRequiredService<AnalyticsQueue>();

        // The schema is created by the first batch: write one before the clock starts.
        _queue.TryEnqueue(records[0]);
        _queue.FlushAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Enqueues every record, then waits until the writer has persisted them.</summary>
    public async Task EnqueueAndFlushAsync(RequestRecord[] records)
    {
        foreach (var record in records)
        {
            if (!_queue.TryEnqueue(record))
            {
                throw new InvalidOperationException("The queue refused a record; it is sized to hold them all.");
            }
        }

        await _queue.FlushAsync();
    }

    /// <summary>Stops the services and throws if the pipeline dropped or failed to write a record.</summary>
    public void Dispose()
    {
        foreach (var hosted in _services.GetServices<IHostedService>().Reverse())
        {
            hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        var pipeline = _services.GetRequiredService<IAnalyticsPipeline>();
        var lost = pipeline.Dropped > 0 || pipeline.Written != pipeline.Accepted;
        var message = $"The pipeline lost records: accepted {pipeline.Accepted}, written {pipeline.Written}, dropped {pipeline.Dropped}.";
        _services.Dispose();
        if (lost)
        {
            throw new InvalidOperationException(message);
        }
    }
}
