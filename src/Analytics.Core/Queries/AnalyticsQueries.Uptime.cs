using Analytics.Uptime;

namespace Analytics.Queries;

/// <summary>Uptime and incidents of the host's health checks, from the samples its health-check publisher stored.</summary>
internal sealed partial class AnalyticsQueries
{
    public async Task<IReadOnlyList<UptimeCheck>> GetUptimeAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var filters = Validate(query);
        if (filters.Consumer is not null)
        {
            throw new ArgumentException(
                "Consumers are kept for requests only: health checks cannot be read per consumer.", nameof(AnalyticsQuery.Consumer));
        }

        if (filters.Release is not null)
        {
            throw new ArgumentException(
                "Releases are kept for requests only: health checks cannot be read per release.", nameof(AnalyticsQuery.Release));
        }

        if (_store.Capabilities.Uptime is not { } uptime)
        {
            return [];
        }

        // Samples, not rollups: the range is read exactly as asked, [From, To).
        var samples = await uptime.ReadHealthCheckSamplesAsync(query.From, query.To, filters.Instance, cancellationToken)
            .ConfigureAwait(false);
        return UptimeReport.Build(samples, _uptimeFailureThreshold);
    }
}
