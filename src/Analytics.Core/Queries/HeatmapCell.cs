namespace Analytics;

/// <summary>One cell of a <see cref="Heatmap"/>.</summary>
public sealed record HeatmapCell
{
    /// <summary>Gets the UTC weekday, 0 (Sunday) to 6 (Saturday).</summary>
    public required int DayOfWeek { get; init; }

    /// <summary>Gets the UTC hour, 0 to 23.</summary>
    public required int Hour { get; init; }

    /// <summary>Gets the number of requests.</summary>
    public required long Count { get; init; }
}
