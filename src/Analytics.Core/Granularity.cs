namespace Analytics;

/// <summary>The width of a rollup bucket. Buckets are aligned to UTC minutes, hours and days.</summary>
public enum Granularity
{
    /// <summary>One-minute buckets.</summary>
    Minute = 0,

    /// <summary>One-hour buckets.</summary>
    Hour = 1,

    /// <summary>One-day buckets (UTC days).</summary>
    Day = 2,
}
