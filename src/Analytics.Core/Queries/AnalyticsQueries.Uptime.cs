using Analytics.Uptime;

namespace Analytics.Queries;

/// <summary>Uptime and incidents of the host's health checks, from the samples its health-check publisher stored.</summary>
internal sealed partial class AnalyticsQueries
{
    public Task<IReadOnlyList<UptimeCheck>> GetUptimeAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult<IReadOnlyList<UptimeCheck>>([]); // issue 25: filled in by the uptime work
    }
}
