using Analytics.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Analytics.Benchmarks;

/// <summary>
/// One simulated app instance for the capacity run: the library's services as a host starts them (every hosted service,
/// so the health sampler, leadership and outbox run as they would), its own connection pool to the shared schema, and
/// its own <see cref="RequestAnalyticsOptions.InstanceName"/>, so its rollup rows are keyed apart from the others' as a
/// real instance's are. Records are API-shaped (<see cref="Traffic"/>) and stamped with the time they are offered.
/// </summary>
internal sealed class CapacityInstance
{
    private const int DistinctRecords = 20_000;

    private readonly ServiceProvider _services;
    private readonly AnalyticsQueue _queue;
    private readonly RequestRecord[] _records;
    private int _next;

    private CapacityInstance(string name, ServiceProvider services, RequestRecord[] records)
    {
        Name = name;
        _services = services;
        _queue = services.GetRequiredService<AnalyticsQueue>();
        Pipeline = services.GetRequiredService<IAnalyticsPipeline>();
        _records = records;
    }

    public string Name { get; }

    public IAnalyticsPipeline Pipeline { get; }

    /// <summary>Gets the records offered to the queue, refused ones included.</summary>
    public long Offered { get; private set; }

    /// <summary>Gets the records the queue refused: lost, as a full queue loses them in an app.</summary>
    public long Refused { get; private set; }

    /// <summary>Starts the instance's services and writes one record, so the schema exists and the pool is open.</summary>
    public static async Task<CapacityInstance> StartAsync(int index, string connectionString, string schema, double rawSampleRate)
    {
        var name = $"sim-{index:00}";
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddRequestAnalytics(o =>
        {
            o.RawSampleRate = rawSampleRate;
            o.InstanceName = name;
            o.EnvironmentName = "capacity";
        }).UsePostgreSql(connectionString, schema);
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var records = new Traffic(seed: 20261202 + index).Generate(DistinctRecords, DateTimeOffset.UnixEpoch, TimeSpan.FromHours(1));
        var instance = new CapacityInstance(name, provider, records);
        instance.Offer(TimeProvider.System.GetUtcNow());
        await instance._queue.FlushAsync();
        return instance;
    }

    /// <summary>Enqueues the next record, stamped <paramref name="now"/>; a refusal is counted, never retried.</summary>
    public void Offer(DateTimeOffset now)
    {
        var record = _records[_next] with { Timestamp = now, Instance = Name };
        _next = (_next + 1) % _records.Length;
        Offered++;
        if (!_queue.TryEnqueue(record))
        {
            Refused++;
        }
    }

    public ValueTask FlushAsync() => _queue.FlushAsync();

    /// <summary>Stops the services (the writer drains its queue) and returns what the pipeline lost, if anything.</summary>
    public async Task<string?> StopAsync()
    {
        foreach (var hosted in _services.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        var lost = Refused > 0 || Pipeline.Dropped > 0 || Pipeline.Written != Pipeline.Accepted || Pipeline.Accepted != Offered;
        var message = lost
            ? $"{Name} lost records: offered {Offered}, refused {Refused}, accepted {Pipeline.Accepted}, " +
              $"written {Pipeline.Written}, dropped {Pipeline.Dropped}."
            : null;
        await _services.DisposeAsync();
        return message;
    }
}
