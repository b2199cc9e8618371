namespace Analytics;

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
    /// Gets the Apdex score, from 0 to 1: requests within the route's Apdex threshold T count fully, those within 4T
    /// half, slower ones not at all, and failed ones (status 500 or more, or an exception) not at all whatever their
    /// duration, as New Relic counts them. Long-lived requests are left out, as from the latencies; <see langword="null"/>
    /// when there were no requests.
    /// </summary>
    public double? Apdex { get; init; }

    /// <summary>
    /// Gets how many of the route's requests were long-lived (WebSockets, Server-Sent Events): counted in
    /// <see cref="Count"/>, left out of the latencies unless a kind is asked for. 0 when none were.
    /// </summary>
    public long Connections { get; init; }

    /// <summary>
    /// Gets the same route's figures in the compared range (<see cref="AnalyticsQuery.Compare"/>), or
    /// <see langword="null"/> without a comparison or when it had no request then.
    /// </summary>
    public RouteStats? Previous { get; init; }
}
