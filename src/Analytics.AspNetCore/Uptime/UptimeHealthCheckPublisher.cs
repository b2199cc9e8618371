using Analytics.Pipeline;
using Analytics.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Analytics.AspNetCore;

/// <summary>
/// Stores each entry of every health report the host's health-check publisher service produces (it runs the checks
/// every <see cref="HealthCheckPublisherOptions.Period"/>, 30 s by default, once <c>AddHealthChecks()</c> is called)
/// as a <see cref="HealthCheckSample"/> of this instance, straight into the store's <see cref="StoreCapabilities.Uptime"/>:
/// the request queue is for requests, and a report every half minute needs no batching. A store that keeps no samples
/// costs nothing; one failing now costs that report, counted and logged, never the host.
/// </summary>
internal sealed partial class UptimeHealthCheckPublisher : IHealthCheckPublisher
{
    /// <summary>The longest description kept: enough for an exception message, bounded for a report every 30 s.</summary>
    internal const int MaxDescriptionLength = 500;

    // A store that is down fails every report; one warning a minute says so without flooding the log.
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    private readonly IUptimeStore? _store;
    private readonly string _instance;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<UptimeHealthCheckPublisher> _logger;
    private readonly FailureLogThrottle _failureLog;
    private long _failures;

    public UptimeHealthCheckPublisher(
        StoreCapabilities capabilities, HostIdentity identity, TimeProvider timeProvider, ILogger<UptimeHealthCheckPublisher> logger)
    {
        _store = capabilities.Uptime;
        _instance = identity.Instance ?? string.Empty;
        _timeProvider = timeProvider;
        _failureLog = new FailureLogThrottle(timeProvider, FailureLogInterval);
        _logger = logger;
    }

    /// <summary>Gets how many reports could not be stored.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public async Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        if (_store is null || report is null || report.Entries.Count == 0)
        {
            return;
        }

        try
        {
            await _store.AddHealthCheckSamplesAsync(Samples(report, _timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping: the report is not a failure of the store.
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failures);
            ReportFailure(ex);
        }
    }

    /// <summary>The report's entries as samples of this instance, taken at <paramref name="now"/>.</summary>
    internal List<HealthCheckSample> Samples(HealthReport report, DateTimeOffset now)
    {
        var samples = new List<HealthCheckSample>(report.Entries.Count);
        foreach (var (name, entry) in report.Entries)
        {
            samples.Add(new HealthCheckSample
            {
                Time = now,
                Instance = _instance,
                Check = name,
                Status = entry.Status switch
                {
                    HealthStatus.Healthy => UptimeStatus.Healthy,
                    HealthStatus.Degraded => UptimeStatus.Degraded,
                    _ => UptimeStatus.Unhealthy,
                },
                Duration = entry.Duration,
                Description = Cut(entry.Description ?? entry.Exception?.Message),
            });
        }

        return samples;
    }

    /// <summary>Cuts a description to <see cref="MaxDescriptionLength"/> characters, never between the halves of a surrogate pair.</summary>
    internal static string? Cut(string? description)
    {
        if (description is null || description.Length <= MaxDescriptionLength)
        {
            return description;
        }

        int length = char.IsHighSurrogate(description[MaxDescriptionLength - 1]) ? MaxDescriptionLength - 1 : MaxDescriptionLength;
        return description[..length];
    }

    private void ReportFailure(Exception error)
    {
        if (_failureLog.Count() is var count and > 0)
        {
            GuardedLog.Write(_logger, static (logger, state) => LogSamplesFailed(logger, state.count, state.error), (count, error));
        }
    }

    [LoggerMessage(EventId = 175, EventName = "UptimeSamplesFailed", Level = LogLevel.Warning,
        Message = "Request analytics could not store {Count} health reports since the last report of this; their uptime " +
            "samples are lost. The exception is the latest one.")]
    private static partial void LogSamplesFailed(ILogger logger, long count, Exception exception);
}
