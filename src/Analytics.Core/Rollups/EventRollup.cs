namespace Analytics.Storage;

/// <summary>The aggregate of every custom event in one bucket with the same name, environment and instance.</summary>
public sealed class EventRollup
{
    /// <summary>Gets the bucket width.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets the UTC start of the bucket.</summary>
    public required DateTimeOffset BucketStart { get; init; }

    /// <summary>Gets the event name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the environment the events were tracked in, or <see langword="null"/>.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance that tracked the events, or <see langword="null"/>.</summary>
    public string? Instance { get; init; }

    /// <summary>Gets or sets the number of events.</summary>
    public long Count { get; set; }

    /// <summary>Gets or sets how many events said they succeeded.</summary>
    public long Successes { get; set; }

    /// <summary>Gets or sets how many events said they failed.</summary>
    public long Failures { get; set; }

    /// <summary>
    /// Gets or sets the sketch of the durations the events carried, in microseconds; <see langword="null"/> when none
    /// carried one, or when read without <see cref="RollupQuery.IncludeSketches"/>.
    /// </summary>
    public LatencySketch? Duration { get; set; }
}
