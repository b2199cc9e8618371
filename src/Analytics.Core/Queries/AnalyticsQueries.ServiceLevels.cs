using Analytics.ServiceLevels;

namespace Analytics.Queries;

/// <summary>Apdex and service-level objectives, from the latency sketches and exact counts of the request rollups.</summary>
internal sealed partial class AnalyticsQueries
{
    public Task<IReadOnlyList<SloStatus>> GetSlosAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult<IReadOnlyList<SloStatus>>([]); // issue 25: filled in by the service-levels work
    }
}
