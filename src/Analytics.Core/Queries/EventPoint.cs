namespace Analytics;

/// <summary>One bucket of an <see cref="EventSeries"/>.</summary>
public sealed record EventPoint
{
    /// <summary>Gets the UTC start of the bucket.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the number of events.</summary>
    public required long Count { get; init; }

    /// <summary>Gets how many said they failed.</summary>
    public required long Failures { get; init; }
}
