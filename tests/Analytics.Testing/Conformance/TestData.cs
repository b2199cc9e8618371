using Analytics.Storage;

namespace Analytics.Testing.Conformance;

/// <summary>Builders for records and batches shared by the store and query tests.</summary>
public static class TestData
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

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

    public static AnalyticsBatch Batch(IEnumerable<RequestRecord> requests, bool keepRaw = true)
    {
        var batch = new AnalyticsBatch();
        foreach (var request in requests)
        {
            batch.AddRequest(request, keepRaw);
        }

        return batch;
    }

    public static AnalyticsBatch Batch(IEnumerable<EventRecord> events)
    {
        var batch = new AnalyticsBatch();
        foreach (var analyticsEvent in events)
        {
            batch.AddEvent(analyticsEvent);
        }

        return batch;
    }

    /// <summary>The exact nearest-rank quantile: the value at 1-based rank max(1, ceil(q·n)) of the sorted values.</summary>
    public static double ExactQuantile(IReadOnlyList<double> sorted, double q) =>
        sorted[(int)Math.Clamp((long)Math.Ceiling(q * sorted.Count), 1, sorted.Count) - 1];

    public static RollupQuery RollupRange(Granularity granularity, DateTimeOffset from, DateTimeOffset to, bool includeSketches = false) =>
        new() { Granularity = granularity, From = from, To = to, IncludeSketches = includeSketches };
}
