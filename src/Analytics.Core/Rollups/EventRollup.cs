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

    /// <summary>
    /// Adds another row with the same key to this one, as a store merges them: counts add and the duration sketches merge.
    /// </summary>
    /// <param name="other">The row to add; not changed.</param>
    public void Add(EventRollup other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        Successes += other.Successes;
        Failures += other.Failures;
        if (other.Duration is { } duration)
        {
            (Duration ??= new LatencySketch()).Merge(duration);
        }
    }
}
