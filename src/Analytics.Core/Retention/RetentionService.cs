using Analytics.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Retention;

/// <summary>
/// Deletes what has outlived <see cref="RequestAnalyticsOptions.Retention"/>: raw rows older than the raw window, and
/// rollup buckets that ended before their granularity's window began. Runs shortly after start and then every
/// <see cref="Interval"/>, in chunks of <see cref="ChunkSize"/> rows so that the writer is never held up for long.
/// </summary>
internal sealed partial class RetentionService : BackgroundService
{
    /// <summary>How often a pass runs. Retention windows are days long; an hour's lag is invisible in them.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>
    /// Rows per delete. SQLite deletes ~5 000 indexed rows in a few milliseconds, so the writer waits at most that long
    /// between chunks.
    /// </summary>
    internal const int ChunkSize = 5_000;

    // Let the host finish starting (and the writer create the schema) before the first pass.
    private static readonly TimeSpan FirstPassDelay = TimeSpan.FromSeconds(30);

    private readonly IAnalyticsStore _store;
    private readonly IWebhookStore? _webhooks;
    private readonly IClusterLeadership? _leadership;
    private readonly RetentionOptions _retention;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public RetentionService(
        IAnalyticsStore store,
        IOptions<RequestAnalyticsOptions> options,
        TimeProvider timeProvider,
        ILogger<RetentionService> logger)
    {
        _store = store;
        var capabilities = store.Capabilities;
        _webhooks = capabilities.Webhooks;
        _leadership = capabilities.Leadership;
        _retention = options.Value.Retention;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Runs one pass now: deletes everything that has expired, chunk by chunk.</summary>
    /// <returns>How many rows were deleted.</returns>
    public async Task<long> PurgeAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);

        long deleted = await RepeatAsync(n => _store.PurgeRawAsync(now - _retention.Raw, n, cancellationToken)).ConfigureAwait(false);
        foreach (var (granularity, window) in (IEnumerable<(Granularity, TimeSpan)>)[
            (Granularity.Minute, _retention.Minute), (Granularity.Hour, _retention.Hour), (Granularity.Day, _retention.Day)])
        {
            // A bucket is expired once it has wholly ended before the window began: [start, start + size) ≤ now - window.
            // Bucket starts are aligned, so that is exactly "start < Floor(now - window)".
            var cutoff = granularity.Floor(now - window);
            deleted += await RepeatAsync(n => _store.PurgeRollupsAsync(granularity, cutoff, n, cancellationToken)).ConfigureAwait(false);
        }

        // The outbox's finished messages and the deliveries log are raw data too; pending messages are never purged.
        if (_webhooks is { } webhooks)
        {
            deleted += await RepeatAsync(n => webhooks.PurgeWebhooksAsync(now - _retention.Raw, n, cancellationToken)).ConfigureAwait(false);
        }

        if (deleted > 0)
        {
            LogPurged(_logger, deleted);
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(FirstPassDelay, _timeProvider, stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(Interval, _timeProvider);
            do
            {
                try
                {
                    // On a store shared by several instances, one of them purges; the others' passes would only contend.
                    if (_leadership is null || await _leadership.IsLeaderAsync(stoppingToken).ConfigureAwait(false))
                    {
                        await PurgeAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The next pass deletes whatever this one left; nothing accepted is lost by waiting.
                    LogPurgeFailed(_logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<long> RepeatAsync(Func<int, Task<int>> purgeChunk)
    {
        long total = 0;
        int deleted;
        do
        {
            deleted = await purgeChunk(ChunkSize).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted >= ChunkSize);

        return total;
    }
}
