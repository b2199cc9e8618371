using Analytics.Storage;

namespace Analytics;

/// <summary>
/// The questions the analytics API answers, typed. Every method reads the rollups (except
/// <see cref="GetRequestsAsync"/>, which reads the raw request log), so the answers count every request whatever
/// <see cref="RequestAnalyticsOptions.RawSampleRate"/> is. Durations are in milliseconds.
/// </summary>
/// <remarks>
/// Every method throws <see cref="ArgumentException"/> naming the property of <see cref="AnalyticsQuery"/> that is
/// impossible: <c>From</c> after <c>To</c>, an unknown <c>Granularity</c> or <c>Kind</c>, a malformed <c>Status</c>, a
/// <c>Limit</c> out of range, or a range that would need too many buckets at the forced granularity.
/// Long-lived requests (WebSockets, Server-Sent Events) are counted everywhere but kept out of latency figures unless
/// <see cref="AnalyticsQuery.Kind"/> selects them; the overview sums them up in <see cref="AnalyticsOverview.Connections"/>.
/// </remarks>
public interface IAnalyticsQueries
{
    /// <summary>Gets the totals, the error rate, the request rate and the latency percentiles of the range.</summary>
    /// <param name="query">The range and the filters.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<AnalyticsOverview> GetOverviewAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets the requests, errors and latency of every bucket of the range, empty buckets included.</summary>
    /// <param name="query">The range, the filters and optionally the granularity.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<TimeSeries> GetTimeSeriesAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets the busiest routes (by route template and method), most requests first.</summary>
    /// <param name="query">The range, the filters and optionally the limit (default 20).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<RouteStats>> GetRoutesAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets the API consumers (<see cref="RequestRecord.Consumer"/>), most requests first.</summary>
    /// <param name="query">The range, the filters, optionally the limit (default 20) and a comparison.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<ConsumerStats>> GetConsumersAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets the releases that served requests in the range, the newest first (by first seen).</summary>
    /// <param name="query">The range and the filters.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<ReleaseStats>> GetReleasesAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets every declared service-level objective (<see cref="RequestAnalyticsOptions.Slos"/>) over its own window
    /// ending now, in declaration order: attainment, error budget left and burn rates. The range of
    /// <paramref name="query"/> is ignored; its environment, instance and release filters apply.
    /// </summary>
    /// <param name="query">The filters.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<ServiceLevels.SloStatus>> GetSlosAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets each health check's status, uptime and incidents over the range, by check name; empty when the host has no
    /// health checks or the store keeps no samples (<see cref="StoreCapabilities.Uptime"/>). Takes the instance filter.
    /// </summary>
    /// <param name="query">The range and the instance filter.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<Uptime.UptimeCheck>> GetUptimeAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets how many responses had each status code, most frequent first.</summary>
    /// <param name="query">The range and the filters.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<StatusCodeCount>> GetStatusCodesAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets the failed requests grouped by route, method, status code and exception type, most frequent first.</summary>
    /// <param name="query">The range, the filters and optionally the limit (default 50).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<ErrorGroup>> GetErrorsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets the process health of each instance per bucket (min, mean and max of the samples), from the health rollups.
    /// Filters other than <see cref="AnalyticsQuery.Instance"/> do not apply. Empty when the store keeps no health metrics.
    /// </summary>
    /// <param name="query">The range, the granularity (or none, to choose) and the instance.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<HealthMetrics> GetHealthMetricsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets one error group with its most recent occurrences, or <see langword="null"/> when there is no such group.</summary>
    /// <param name="fingerprint">The group's fingerprint: 16 lower-case hex digits.</param>
    /// <param name="limit">The most occurrences to return, 1 to 1 000; 20 when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="ArgumentException">The fingerprint or the limit is malformed; the parameter is named.</exception>
    Task<ErrorDetail?> GetErrorAsync(string fingerprint, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Marks an error group resolved; a later occurrence reopens it as regressed.</summary>
    /// <param name="fingerprint">The group's fingerprint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The group as it is now, or <see langword="null"/> when there is no such group.</returns>
    /// <exception cref="ArgumentException">The fingerprint is malformed.</exception>
    Task<ErrorDetail?> ResolveErrorAsync(string fingerprint, CancellationToken cancellationToken = default);

    /// <summary>Gets the requests per UTC weekday and hour: always 7 × 24 cells.</summary>
    /// <param name="query">The range and the filters. A day granularity cannot tell hours apart and is refused.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<Heatmap> GetHeatmapAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets a page of the raw request log, newest first.</summary>
    /// <param name="query">The range, the filters, the limit (default 100) and the page (<see cref="AnalyticsQuery.Before"/>).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<RequestPage> GetRequestsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the request rollup rows of the range at the chosen granularity, unmerged and in no particular order, for
    /// exports. Rows are read as they are enumerated, so memory stays flat however long the range.
    /// </summary>
    /// <param name="query">The range, the filters and optionally the granularity.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    IAsyncEnumerable<RequestRollup> GetRollupsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets the custom events of the range by name: totals, outcomes, durations and counts per bucket.</summary>
    /// <param name="query">The range, optionally the event name and the granularity.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<EventsOverTime> GetEventsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);
}
