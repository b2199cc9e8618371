namespace Analytics;

/// <summary>The minimum, mean and maximum of a metric's samples in a bucket.</summary>
public sealed record HealthValue
{
    /// <summary>Gets the smallest sample.</summary>
    public required double Min { get; init; }

    /// <summary>Gets the mean of the samples.</summary>
    public required double Avg { get; init; }

    /// <summary>Gets the largest sample.</summary>
    public required double Max { get; init; }

    /// <summary>Gets how many samples there were.</summary>
    public required long Samples { get; init; }
}
