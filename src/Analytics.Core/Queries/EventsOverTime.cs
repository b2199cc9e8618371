namespace Analytics;

/// <summary>Custom events over time.</summary>
public sealed record EventsOverTime
{
    /// <summary>Gets the bucket width of the points.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets one series per event name, most frequent first.</summary>
    public required IReadOnlyList<EventSeries> Events { get; init; }
}
