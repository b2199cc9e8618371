using Analytics.Pipeline;
using Analytics.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore;

/// <summary>
/// The registration's failure status (degraded unless the host chose otherwise) when the store cannot be reached or the
/// writer keeps failing; degraded when the queue is nine-tenths full (drops are imminent); healthy otherwise. Reports
/// the pipeline's counters as data.
/// </summary>
internal sealed class RequestAnalyticsHealthCheck : IHealthCheck
{
    private readonly IAnalyticsStore _store;
    private readonly AnalyticsQueue _queue;
    private readonly AnalyticsWriter _writer;
    private readonly int _capacity;

    public RequestAnalyticsHealthCheck(IAnalyticsStore store, AnalyticsQueue queue, AnalyticsWriter writer, IOptions<RequestAnalyticsOptions> options)
    {
        _store = store;
        _queue = queue;
        _writer = writer;
        _capacity = options.Value.QueueCapacity;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["accepted"] = _queue.Accepted,
            ["dropped"] = _queue.Dropped,
            ["written"] = _queue.Written,
            ["queueLength"] = _queue.QueueLength,
            ["queueCapacity"] = _capacity,
        };

        try
        {
            await _store.PingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The analytics store cannot be reached.", ex, data);
        }

        if (_writer.ConsecutiveFailures > 0)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"The analytics writer failed {_writer.ConsecutiveFailures} times in a row.",
                _writer.LastError,
                data);
        }

        return _queue.QueueLength >= _capacity * 9L / 10
            ? HealthCheckResult.Degraded("The analytics queue is nearly full; records will be dropped.", data: data)
            : HealthCheckResult.Healthy("Request analytics is recording.", data);
    }
}
