namespace Analytics;

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
