using Analytics.Storage;
using Analytics.Storage.Testing;

namespace Analytics.Testing.Conformance;

/// <summary>
/// The store conformance kit's builders (<see cref="StoreTestData"/>) under the name this repository's tests have
/// always used; the kit owns them.
/// </summary>
public static class TestData
{
    public static readonly DateTimeOffset Start = StoreTestData.Start;

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
        long responseBytes = 0) => StoreTestData.Request(
            timestamp, route, method, status, milliseconds, environment, instance, exceptionType, exceptionMessage,
            requestBytes, responseBytes);

    public static AnalyticsBatch Batch(IEnumerable<RequestRecord> requests, bool keepRaw = true) =>
        StoreTestData.Batch(requests, keepRaw);

    public static AnalyticsBatch Batch(IEnumerable<EventRecord> events) => StoreTestData.Batch(events);

    /// <summary>
    /// The exact nearest-rank quantile: the value at 1-based rank max(1, ceil(q·n)) of the sorted values.
    /// </summary>
    public static double ExactQuantile(IReadOnlyList<double> sorted, double q) =>
        StoreTestData.ExactQuantile(sorted, q);

    public static RollupQuery RollupRange(
        Granularity granularity, DateTimeOffset from, DateTimeOffset to, bool includeSketches = false) =>
        StoreTestData.RollupRange(granularity, from, to, includeSketches);
}

/// <summary>
/// The kit's <see cref="Storage.Testing.UniqueTraffic"/>, reachable from this namespace as the tests have always
/// reached it.
/// </summary>
public static class UniqueTraffic
{
    public static Storage.Testing.UniqueTraffic Create(int users, DateTimeOffset start, TimeSpan span) =>
        Storage.Testing.UniqueTraffic.Create(users, start, span);
}
