namespace Analytics.Storage.Testing;

/// <summary>
/// Builders for the records, batches and rollup queries the suites write and read, for a store's own tests too.
/// </summary>
public static class StoreTestData
{
    /// <summary>Gets the instant the suites' traffic starts at: midnight UTC on a Sunday, 1 March 2026.</summary>
    public static DateTimeOffset Start { get; } = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Builds a request with the given fields; the path is the route with <c>{id}</c> replaced by <c>1</c>.
    /// </summary>
    /// <param name="timestamp">When the request started.</param>
    /// <param name="route">The route template.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="status">The status code.</param>
    /// <param name="milliseconds">The duration, in milliseconds.</param>
    /// <param name="environment">The environment, or <see langword="null"/>.</param>
    /// <param name="instance">The instance, or <see langword="null"/>.</param>
    /// <param name="exceptionType">The exception type, or <see langword="null"/>.</param>
    /// <param name="exceptionMessage">The exception message, or <see langword="null"/>.</param>
    /// <param name="requestBytes">The request body size.</param>
    /// <param name="responseBytes">The response body size.</param>
    /// <returns>The request.</returns>
    public static RequestRecord Request(
        DateTimeOffset timestamp,
        string route = "/items/{id}",
        string method = "GET",
        int status = 200,
        double milliseconds = 10,
        string? environment = null,
        string? instance = null,
        string? exceptionType = null,
        string? exceptionMessage = null,
        long requestBytes = 0,
        long responseBytes = 0) => new()
        {
            Timestamp = timestamp,
            Method = method,
            Route = route,
            Path = route.Replace("{id}", "1", StringComparison.Ordinal),
            StatusCode = status,
            Duration = TimeSpan.FromTicks((long)(milliseconds * TimeSpan.TicksPerMillisecond)),
            Environment = environment,
            Instance = instance,
            ExceptionType = exceptionType,
            ExceptionMessage = exceptionMessage,
            RequestBytes = requestBytes,
            ResponseBytes = responseBytes,
        };

    /// <summary>
    /// Builds a batch of requests, as the writer would: every request rolled up, and kept raw when asked.
    /// </summary>
    /// <param name="requests">The requests.</param>
    /// <param name="keepRaw">Whether to keep them as raw rows too.</param>
    /// <returns>The batch.</returns>
    public static AnalyticsBatch Batch(IEnumerable<RequestRecord> requests, bool keepRaw = true)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var batch = new AnalyticsBatch();
        foreach (var request in requests)
        {
            batch.AddRequest(request, keepRaw);
        }

        return batch;
    }

    /// <summary>Builds a batch of custom events.</summary>
    /// <param name="events">The events.</param>
    /// <returns>The batch.</returns>
    public static AnalyticsBatch Batch(IEnumerable<EventRecord> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var batch = new AnalyticsBatch();
        foreach (var analyticsEvent in events)
        {
            batch.AddEvent(analyticsEvent);
        }

        return batch;
    }

    /// <summary>
    /// Gets the exact nearest-rank quantile: the value at 1-based rank max(1, ceil(q·n)) of the sorted values.
    /// </summary>
    /// <param name="sorted">The values, in ascending order; at least one.</param>
    /// <param name="q">The quantile, from 0 to 1.</param>
    /// <returns>The value at that rank.</returns>
    public static double ExactQuantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted[(int)Math.Clamp((long)Math.Ceiling(q * sorted.Count), 1, sorted.Count) - 1];
    }

    /// <summary>Builds a rollup query of one granularity over a range of bucket starts, without filters.</summary>
    /// <param name="granularity">The granularity.</param>
    /// <param name="from">The inclusive lower bound of the bucket starts.</param>
    /// <param name="to">The exclusive upper bound of the bucket starts.</param>
    /// <param name="includeSketches">Whether to read the latency and duration sketches.</param>
    /// <returns>The query.</returns>
    public static RollupQuery RollupRange(
        Granularity granularity, DateTimeOffset from, DateTimeOffset to, bool includeSketches = false) =>
        new() { Granularity = granularity, From = from, To = to, IncludeSketches = includeSketches };
}
