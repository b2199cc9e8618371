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

    /// <summary>Gets the estimated number of distinct API consumers (0 when no request named one).</summary>
    public long UniqueConsumers { get; init; }

    /// <summary>
    /// Gets the Apdex score over every request, from 0 to 1, each judged against its route's threshold
    /// (<see cref="RequestAnalyticsOptions.ApdexThreshold"/> or an objective's override). A failed request is frustrated
    /// whatever its duration (New Relic's convention); long-lived requests are left out. <see langword="null"/> when
    /// there were no requests.
    /// </summary>
    public double? Apdex { get; init; }

    /// <summary>
    /// Gets the figures of the compared range (<see cref="AnalyticsQuery.Compare"/>), or <see langword="null"/> without a
    /// comparison or when there is nothing to compare with.
    /// </summary>
    public AnalyticsOverview? Previous { get; init; }
}
