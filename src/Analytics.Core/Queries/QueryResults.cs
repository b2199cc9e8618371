using Analytics.Storage;

namespace Analytics;

/// <summary>The totals of a range.</summary>
public sealed record AnalyticsOverview
{
    /// <summary>Gets the start of the range the numbers cover (the requested start, widened to its bucket).</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>Gets the end of the range the numbers cover (the end of the last bucket, or now if that is earlier).</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>Gets the number of requests, long-lived ones (connections) included.</summary>
    public required long TotalRequests { get; init; }

    /// <summary>Gets the number of failed requests (status 500 or more, or an exception).</summary>
    public required long ErrorRequests { get; init; }

    /// <summary>Gets the share of failed requests, from 0 to 1; 0 when there were no requests.</summary>
    public required double ErrorRate { get; init; }

    /// <summary>Gets the requests divided by the minutes from <see cref="From"/> to <see cref="To"/>.</summary>
    public required double RequestsPerMinute { get; init; }

    /// <summary>
    /// Gets the latency of the requests: without a <see cref="AnalyticsQuery.Kind"/>, of those that are not long-lived
    /// (see <see cref="Connections"/>); with one, of that kind's.
    /// </summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>Gets the sum of the request body sizes.</summary>
    public required long BytesIn { get; init; }

    /// <summary>Gets the sum of the response body sizes.</summary>
    public required long BytesOut { get; init; }

    /// <summary>Gets the estimated number of distinct user ids (about 1 % standard error; 0 when no request carried one).</summary>
    public long UniqueUsers { get; init; }

    /// <summary>Gets the estimated number of distinct client addresses, as recorded (anonymized unless disabled).</summary>
    public long UniqueClients { get; init; }

    /// <summary>
    /// Gets the long-lived requests of the range (WebSockets and Server-Sent Events): how many, and how long they stayed
    /// open. All 0 when there were none, or when <see cref="AnalyticsQuery.Kind"/> selects a kind that is not long-lived.
    /// </summary>
    public ConnectionSummary Connections { get; init; } = ConnectionSummary.None;
}

/// <summary>Requests over time.</summary>
public sealed record TimeSeries
{
    /// <summary>Gets the bucket width of the points.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets one point per bucket of the range, in time order, empty buckets included.</summary>
    public required IReadOnlyList<TimeSeriesPoint> Points { get; init; }
}

/// <summary>
/// One bucket of a <see cref="TimeSeries"/>. Latencies are in milliseconds, 0 for an empty bucket; like
/// <see cref="AnalyticsOverview.Latency"/>, they leave long-lived requests out unless a kind is asked for.
/// </summary>
public sealed record TimeSeriesPoint
{
    /// <summary>Gets the UTC start of the bucket.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the number of requests.</summary>
    public required long Count { get; init; }

    /// <summary>Gets the number of failed requests.</summary>
    public required long Errors { get; init; }

    /// <summary>Gets the mean latency.</summary>
    public required double Avg { get; init; }

    /// <summary>Gets the median latency.</summary>
    public required double P50 { get; init; }

    /// <summary>Gets the 95th percentile latency.</summary>
    public required double P95 { get; init; }

    /// <summary>Gets the 99th percentile latency.</summary>
    public required double P99 { get; init; }

    /// <summary>Gets the estimated number of distinct user ids in the bucket.</summary>
    public long UniqueUsers { get; init; }

    /// <summary>Gets the estimated number of distinct client addresses in the bucket.</summary>
    public long UniqueClients { get; init; }
}

/// <summary>
/// The traffic of one route template and method. Latencies are in milliseconds; like
/// <see cref="AnalyticsOverview.Latency"/>, they leave long-lived requests out unless a kind is asked for.
/// </summary>
public sealed record RouteStats
{
    /// <summary>Gets the route template.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the number of requests.</summary>
    public required long Count { get; init; }

    /// <summary>Gets the number of failed requests.</summary>
    public required long Errors { get; init; }

    /// <summary>Gets the share of failed requests, from 0 to 1.</summary>
    public required double ErrorRate { get; init; }

    /// <summary>Gets the mean latency.</summary>
    public required double Avg { get; init; }

    /// <summary>Gets the 95th percentile latency.</summary>
    public required double P95 { get; init; }

    /// <summary>Gets the 99th percentile latency.</summary>
    public required double P99 { get; init; }

    /// <summary>
    /// Gets how many of the route's requests were long-lived (WebSockets, Server-Sent Events): counted in
    /// <see cref="Count"/>, left out of the latencies unless a kind is asked for. 0 when none were.
    /// </summary>
    public long Connections { get; init; }
}

/// <summary>How many responses had one status code.</summary>
public sealed record StatusCodeCount
{
    /// <summary>Gets the status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the number of responses.</summary>
    public required long Count { get; init; }
}

/// <summary>Failed requests with the same route, method, status code and exception type.</summary>
public sealed record ErrorGroup
{
    /// <summary>Gets the group's fingerprint (see <see cref="RequestRecord.ErrorFingerprint"/>); empty for failures recorded before groups existed.</summary>
    public string Fingerprint { get; init; } = string.Empty;

    /// <summary>Gets the route template.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the full name of the exception type, or <see langword="null"/> for failures without an exception.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Gets the exception message of the most recent one, or <see langword="null"/>.</summary>
    public string? Message { get; init; }

    /// <summary>Gets how many there were.</summary>
    public required long Count { get; init; }

    /// <summary>Gets when the first of the range happened.</summary>
    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>Gets when the last of the range happened.</summary>
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>Gets how serious the group is (<see cref="RequestAnalyticsOptions.ClassifyError"/>).</summary>
    public ErrorSeverity Severity { get; init; }

    /// <summary>Gets whether the group is marked resolved.</summary>
    public bool Resolved { get; init; }

    /// <summary>Gets whether the group occurred again after it had been resolved.</summary>
    public bool Regressed { get; init; }
}

/// <summary>One error group with its recent occurrences: <c>GET {prefix}/api/errors/{fingerprint}</c>.</summary>
public sealed record ErrorDetail
{
    /// <summary>Gets the group's stored state: counts since it was first seen, severity, resolution.</summary>
    public required ErrorGroupState Group { get; init; }

    /// <summary>Gets the stack trace of the most recent occurrence that has one (sanitized), or <see langword="null"/>.</summary>
    public string? StackTrace { get; init; }

    /// <summary>Gets the most recent occurrences, newest first.</summary>
    public required IReadOnlyList<ErrorOccurrence> Occurrences { get; init; }
}

/// <summary>One failed request of an error group.</summary>
public sealed record ErrorOccurrence
{
    /// <summary>Gets the request's id in the request log.</summary>
    public required long Id { get; init; }

    /// <summary>Gets when the request started.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the path (without the query string unless configured).</summary>
    public required string Path { get; init; }

    /// <summary>Gets the status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the duration in milliseconds.</summary>
    public required double Duration { get; init; }

    /// <summary>Gets the W3C trace id, to find the request in a tracing system, or <see langword="null"/>.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets the instance that served it, or <see langword="null"/>.</summary>
    public string? Instance { get; init; }

    /// <summary>Gets the (sanitized) exception message, or <see langword="null"/>.</summary>
    public string? Message { get; init; }
}

/// <summary>Requests by UTC weekday and hour of day.</summary>
public sealed record Heatmap
{
    /// <summary>Gets the 168 cells, by weekday (0 = Sunday, as <see cref="System.DayOfWeek"/>) then hour.</summary>
    public required IReadOnlyList<HeatmapCell> Cells { get; init; }
}

/// <summary>One cell of a <see cref="Heatmap"/>.</summary>
public sealed record HeatmapCell
{
    /// <summary>Gets the UTC weekday, 0 (Sunday) to 6 (Saturday).</summary>
    public required int DayOfWeek { get; init; }

    /// <summary>Gets the UTC hour, 0 to 23.</summary>
    public required int Hour { get; init; }

    /// <summary>Gets the number of requests.</summary>
    public required long Count { get; init; }
}

/// <summary>A page of the raw request log.</summary>
public sealed record RequestPage
{
    /// <summary>Gets the requests, newest first.</summary>
    public required IReadOnlyList<RequestLogEntry> Items { get; init; }

    /// <summary>Gets the value of <see cref="AnalyticsQuery.Before"/> that reads the next page, or <see langword="null"/> on the last page.</summary>
    public long? Next { get; init; }
}

/// <summary>One raw request as the request log shows it (and, without <see cref="Id"/>, as the live stream sends it).</summary>
public sealed record RequestLogEntry
{
    /// <summary>Gets the row id; 0, and left out of the JSON, for a request the live stream sends before it has one.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
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

    /// <summary>Describes a recorded request; <paramref name="id"/> is the store's row id, or 0 when it has none.</summary>
    internal static RequestLogEntry From(long id, in RequestRecord request) => new()
    {
        Id = id,
        Time = request.Timestamp,
        Method = request.Method,
        Route = request.Route,
        Path = request.Path,
        StatusCode = request.StatusCode,
        Duration = request.Duration.TotalMilliseconds,
        RequestBytes = request.RequestBytes,
        ResponseBytes = request.ResponseBytes,
        ClientIp = request.ClientIp,
        UserAgent = request.UserAgent,
        Protocol = request.Protocol,
        Kind = request.Kind,
        TraceId = request.TraceId,
        UserId = request.UserId,
        Environment = request.Environment,
        Instance = request.Instance,
        ExceptionType = request.ExceptionType,
        ExceptionMessage = request.ExceptionMessage,
    };
}

/// <summary>Custom events over time.</summary>
public sealed record EventsOverTime
{
    /// <summary>Gets the bucket width of the points.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets one series per event name, most frequent first.</summary>
    public required IReadOnlyList<EventSeries> Events { get; init; }
}

/// <summary>The custom events with one name. Durations are in milliseconds, <see langword="null"/> when no event carried one.</summary>
public sealed record EventSeries
{
    /// <summary>Gets the event name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the number of events.</summary>
    public required long Count { get; init; }

    /// <summary>Gets how many said they succeeded.</summary>
    public required long Successes { get; init; }

    /// <summary>Gets how many said they failed.</summary>
    public required long Failures { get; init; }

    /// <summary>Gets the mean duration.</summary>
    public double? Avg { get; init; }

    /// <summary>Gets the median duration.</summary>
    public double? P50 { get; init; }

    /// <summary>Gets the 95th percentile duration.</summary>
    public double? P95 { get; init; }

    /// <summary>Gets the 99th percentile duration.</summary>
    public double? P99 { get; init; }

    /// <summary>Gets one point per bucket of the range, in time order, empty buckets included.</summary>
    public required IReadOnlyList<EventPoint> Points { get; init; }
}

/// <summary>One bucket of an <see cref="EventSeries"/>.</summary>
public sealed record EventPoint
{
    /// <summary>Gets the UTC start of the bucket.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the number of events.</summary>
    public required long Count { get; init; }

    /// <summary>Gets how many said they failed.</summary>
    public required long Failures { get; init; }
}
