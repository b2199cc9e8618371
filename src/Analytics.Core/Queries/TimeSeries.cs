namespace Analytics;

/// <summary>Requests over time.</summary>
public sealed record TimeSeries
{
    /// <summary>Gets the bucket width of the points.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets one point per bucket of the range, in time order, empty buckets included.</summary>
    public required IReadOnlyList<TimeSeriesPoint> Points { get; init; }
}
