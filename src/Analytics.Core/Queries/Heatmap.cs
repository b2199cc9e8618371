namespace Analytics;

/// <summary>Requests by UTC weekday and hour of day.</summary>
public sealed record Heatmap
{
    /// <summary>Gets the 168 cells, by weekday (0 = Sunday, as <see cref="System.DayOfWeek"/>) then hour.</summary>
    public required IReadOnlyList<HeatmapCell> Cells { get; init; }
}
