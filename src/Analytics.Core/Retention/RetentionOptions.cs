namespace Analytics;

/// <summary>How long each kind of analytics data is kept before the retention pass deletes it.</summary>
public sealed class RetentionOptions
{
    /// <summary>
    /// Gets or sets how long raw requests, raw events and finished webhook messages with their deliveries log are kept.
    /// Must be positive. The default is 7 days.
    /// </summary>
    public TimeSpan Raw { get; set; } = RequestAnalyticsDefaults.RawRetention;

    /// <summary>Gets or sets how long minute rollups are kept. Must be positive. The default is 7 days.</summary>
    public TimeSpan Minute { get; set; } = RequestAnalyticsDefaults.MinuteRetention;

    /// <summary>Gets or sets how long hour rollups are kept. Must be positive. The default is 90 days.</summary>
    public TimeSpan Hour { get; set; } = RequestAnalyticsDefaults.HourRetention;

    /// <summary>Gets or sets how long day rollups are kept. Must be positive. The default is 400 days.</summary>
    public TimeSpan Day { get; set; } = RequestAnalyticsDefaults.DayRetention;
}
