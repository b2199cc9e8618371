using Analytics.Rollups;

namespace Analytics;

/// <summary>The totals of a range.</summary>
/// <param name="From">The start of the range the numbers cover (the requested start, widened to its bucket).</param>
/// <param name="To">The end of the range the numbers cover (the end of the last bucket, or now if that is earlier).</param>
/// <param name="TotalRequests">The number of requests.</param>
/// <param name="ErrorRequests">The number of failed requests (status 500 or more, or an exception).</param>
/// <param name="ErrorRate">The share of failed requests, from 0 to 1; 0 when there were no requests.</param>
/// <param name="RequestsPerMinute">The requests divided by the minutes from <paramref name="From"/> to <paramref name="To"/>.</param>
/// <param name="Latency">The latency of the requests.</param>
/// <param name="BytesIn">The sum of the request body sizes.</param>
/// <param name="BytesOut">The sum of the response body sizes.</param>
public sealed record AnalyticsOverview(
    DateTimeOffset From,
    DateTimeOffset To,
    long TotalRequests,
    long ErrorRequests,
    double ErrorRate,
    double RequestsPerMinute,
    LatencySummary Latency,
    long BytesIn,
    long BytesOut);

/// <summary>Latency statistics in milliseconds; all 0 when there were no requests.</summary>
/// <param name="Avg">The exact mean.</param>
/// <param name="P50">The median, within 1 % of the exact value.</param>
/// <param name="P95">The 95th percentile, within 1 % of the exact value.</param>
/// <param name="P99">The 99th percentile, within 1 % of the exact value.</param>
/// <param name="Max">The exact maximum.</param>
public sealed record LatencySummary(double Avg, double P50, double P95, double P99, double Max);

/// <summary>Requests over time.</summary>
/// <param name="Granularity">The bucket width of the points.</param>
/// <param name="Points">One point per bucket of the range, in time order, empty buckets included.</param>
public sealed record TimeSeries(Granularity Granularity, IReadOnlyList<TimeSeriesPoint> Points);

/// <summary>One bucket of a <see cref="TimeSeries"/>. Latencies are in milliseconds, 0 for an empty bucket.</summary>
/// <param name="Time">The UTC start of the bucket.</param>
/// <param name="Count">The number of requests.</param>
/// <param name="Errors">The number of failed requests.</param>
/// <param name="Avg">The mean latency.</param>
/// <param name="P50">The median latency.</param>
/// <param name="P95">The 95th percentile latency.</param>
/// <param name="P99">The 99th percentile latency.</param>
public sealed record TimeSeriesPoint(DateTimeOffset Time, long Count, long Errors, double Avg, double P50, double P95, double P99);

/// <summary>The traffic of one route template and method. Latencies are in milliseconds.</summary>
/// <param name="Route">The route template.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Count">The number of requests.</param>
/// <param name="Errors">The number of failed requests.</param>
/// <param name="ErrorRate">The share of failed requests, from 0 to 1.</param>
/// <param name="Avg">The mean latency.</param>
/// <param name="P95">The 95th percentile latency.</param>
/// <param name="P99">The 99th percentile latency.</param>
public sealed record RouteStats(string Route, string Method, long Count, long Errors, double ErrorRate, double Avg, double P95, double P99);

/// <summary>How many responses had one status code.</summary>
/// <param name="StatusCode">The status code.</param>
/// <param name="Count">The number of responses.</param>
public sealed record StatusCodeCount(int StatusCode, long Count);

/// <summary>Failed requests with the same route, method, status code and exception type.</summary>
/// <param name="Route">The route template.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="StatusCode">The status code.</param>
/// <param name="ExceptionType">The full name of the exception type, or <see langword="null"/> for failures without an exception.</param>
/// <param name="Message">The exception message of the most recent one, or <see langword="null"/>.</param>
/// <param name="Count">How many there were.</param>
/// <param name="FirstSeen">When the first of the range happened.</param>
/// <param name="LastSeen">When the last of the range happened.</param>
public sealed record ErrorGroup(string Route, string Method, int StatusCode, string? ExceptionType, string? Message, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>Requests by UTC weekday and hour of day.</summary>
/// <param name="Cells">The 168 cells, by weekday (0 = Sunday, as <see cref="System.DayOfWeek"/>) then hour.</param>
public sealed record Heatmap(IReadOnlyList<HeatmapCell> Cells);

/// <summary>One cell of a <see cref="Heatmap"/>.</summary>
/// <param name="DayOfWeek">The UTC weekday, 0 (Sunday) to 6 (Saturday).</param>
/// <param name="Hour">The UTC hour, 0 to 23.</param>
/// <param name="Count">The number of requests.</param>
public sealed record HeatmapCell(int DayOfWeek, int Hour, long Count);

/// <summary>A page of the raw request log.</summary>
/// <param name="Items">The requests, newest first.</param>
/// <param name="Next">The value of <see cref="AnalyticsQuery.Before"/> that reads the next page, or <see langword="null"/> on the last page.</param>
public sealed record RequestPage(IReadOnlyList<RequestLogEntry> Items, long? Next);

/// <summary>One raw request as the request log shows it.</summary>
public sealed record RequestLogEntry
{
    /// <summary>Gets the row id.</summary>
    public required long Id { get; init; }

    /// <summary>Gets when the request started (UTC).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the route template.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the path (with the query string only when it was captured).</summary>
    public required string Path { get; init; }

    /// <summary>Gets the status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the duration in milliseconds.</summary>
    public required double Duration { get; init; }

    /// <summary>Gets the request body size in bytes.</summary>
    public long RequestBytes { get; init; }

    /// <summary>Gets the response body size in bytes.</summary>
    public long ResponseBytes { get; init; }

    /// <summary>Gets the client address (anonymized unless configured otherwise).</summary>
    public string? ClientIp { get; init; }

    /// <summary>Gets the user agent.</summary>
    public string? UserAgent { get; init; }

    /// <summary>Gets the protocol.</summary>
    public string? Protocol { get; init; }

    /// <summary>Gets what kind of request it was.</summary>
    public RequestKind Kind { get; init; }

    /// <summary>Gets the W3C trace id.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets the user id.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the environment.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance.</summary>
    public string? Instance { get; init; }

    /// <summary>Gets the exception type, when the pipeline threw.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Gets the exception message, when the pipeline threw.</summary>
    public string? ExceptionMessage { get; init; }
}

/// <summary>Custom events over time.</summary>
/// <param name="Granularity">The bucket width of the points.</param>
/// <param name="Events">One series per event name, most frequent first.</param>
public sealed record EventsOverTime(Granularity Granularity, IReadOnlyList<EventSeries> Events);

/// <summary>The custom events with one name. Durations are in milliseconds, <see langword="null"/> when no event carried one.</summary>
/// <param name="Name">The event name.</param>
/// <param name="Count">The number of events.</param>
/// <param name="Successes">How many said they succeeded.</param>
/// <param name="Failures">How many said they failed.</param>
/// <param name="Avg">The mean duration.</param>
/// <param name="P50">The median duration.</param>
/// <param name="P95">The 95th percentile duration.</param>
/// <param name="P99">The 99th percentile duration.</param>
/// <param name="Points">One point per bucket of the range, in time order, empty buckets included.</param>
public sealed record EventSeries(string Name, long Count, long Successes, long Failures, double? Avg, double? P50, double? P95, double? P99, IReadOnlyList<EventPoint> Points);

/// <summary>One bucket of an <see cref="EventSeries"/>.</summary>
/// <param name="Time">The UTC start of the bucket.</param>
/// <param name="Count">The number of events.</param>
/// <param name="Failures">How many said they failed.</param>
public sealed record EventPoint(DateTimeOffset Time, long Count, long Failures);
