using Analytics.ServiceLevels;

namespace Analytics.Queries;

/// <summary>Apdex and service-level objectives, from the latency sketches and exact counts of the request rollups.</summary>
internal sealed partial class AnalyticsQueries
{
    private static readonly TimeSpan[] BurnSpans =
        [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(6)];

    public async Task<IReadOnlyList<SloStatus>> GetSlosAsync(AnalyticsQuery query, CancellationToken cancellationToken)
    {
        var filters = Validate(query);
        if (filters.Consumer is not null)
        {
            throw new ArgumentException(
                "Objectives count every request whoever called: they cannot be read per consumer.", nameof(AnalyticsQuery.Consumer));
        }

        var now = _timeProvider.GetUtcNow();
        var end = Granularity.Minute.Floor(now);
        var dimensions = (filters.Environment, filters.Instance, filters.Release);
        var statuses = new List<SloStatus>(_options.Slos.Count);
        foreach (var slo in _options.Slos)
        {
            var window = await _slos.CountAsync(slo, dimensions, end - slo.Window, end, now, cancellationToken).ConfigureAwait(false);
            var burns = new double?[BurnSpans.Length];
            for (int i = 0; i < burns.Length; i++)
            {
                var span = await _slos.CountAsync(slo, dimensions, end - BurnSpans[i], end, now, cancellationToken).ConfigureAwait(false);
                burns[i] = span.BurnRate(slo.Objective);
            }

            long good = (long)Math.Round(window.Good);
            double? attainment = window.Total == 0 ? null : (double)good / window.Total;
            statuses.Add(new SloStatus
            {
                Name = slo.Name!,
                Route = string.IsNullOrWhiteSpace(slo.Route) ? null : slo.Route,
                Method = string.IsNullOrWhiteSpace(slo.Method) ? null : slo.Method.Trim().ToUpperInvariant(),
                Objective = slo.Objective,
                LatencyThreshold = slo.LatencyThreshold,
                Window = slo.Window,
                Good = good,
                Total = window.Total,
                Attainment = attainment,
                ErrorBudgetRemaining = attainment is { } a ? 1 - ((1 - a) / (1 - slo.Objective)) : null,
                BurnRates = new SloBurnRates { FiveMinutes = burns[0], ThirtyMinutes = burns[1], OneHour = burns[2], SixHours = burns[3] },
            });
        }

        return statuses;
    }
}
