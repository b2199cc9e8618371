using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Live;

/// <summary>
/// Runs the live feed: the fan-out loop, a <c>stats</c> message (the overview of the last five minutes) every
/// <see cref="RequestAnalyticsOptions.StatsInterval"/> and a <c>ping</c> every <see cref="RequestAnalyticsOptions.StreamPingInterval"/>,
/// both only while someone listens. One query serves every connection. On stop it closes every connection, so that
/// open streams never hold up the host's shutdown.
/// </summary>
internal sealed partial class LiveFeedService : BackgroundService
{
    /// <summary>The window of the <c>stats</c> overview.</summary>
    internal static readonly TimeSpan StatsWindow = TimeSpan.FromMinutes(5);

    private readonly LiveFeed _feed;
    private readonly IAnalyticsQueries _queries;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TimeSpan _statsInterval;
    private readonly TimeSpan _pingInterval;

    public LiveFeedService(
        LiveFeed feed,
        IAnalyticsQueries queries,
        IOptions<RequestAnalyticsOptions> options,
        TimeProvider timeProvider,
        ILogger<LiveFeedService> logger)
    {
        _feed = feed;
        _queries = queries;
        _timeProvider = timeProvider;
        _logger = logger;
        _statsInterval = options.Value.StatsInterval;
        _pingInterval = options.Value.StreamPingInterval;
    }

    /// <summary>Gets the overview that a <c>stats</c> message carries: the last five minutes.</summary>
    public Task<AnalyticsOverview> GetStatsAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        return _queries.GetOverviewAsync(new AnalyticsQuery { From = now - StatsWindow, To = now }, cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _feed.CloseAll();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            IgnoreStop(_feed.RunAsync(stoppingToken), stoppingToken),
            EveryAsync(_statsInterval, SendStatsAsync, stoppingToken),
            EveryAsync(_pingInterval, SendPingAsync, stoppingToken));

    private static async Task IgnoreStop(Task task, CancellationToken stoppingToken)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task EveryAsync(TimeSpan interval, Func<CancellationToken, Task> tick, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_feed.SubscriberCount > 0)
                {
                    await tick(stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    _feed.ForgetIfIdle(); // so that the replay ring's memory goes back once no reconnect can use it
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendStatsAsync(CancellationToken stoppingToken)
    {
        try
        {
            _feed.Broadcast(LiveMessageKind.Stats, await GetStatsAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // A store that cannot answer now costs one stats message, never the stream.
            LogStatsFailed(_logger, ex);
        }
    }

    private Task SendPingAsync(CancellationToken stoppingToken)
    {
        _feed.Broadcast(LiveMessageKind.Ping, new LivePing(_timeProvider.GetUtcNow()));
        return Task.CompletedTask;
    }
}
