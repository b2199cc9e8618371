namespace Analytics;

/// <summary>Bucket arithmetic shared by the writer, the queries and retention.</summary>
internal static class GranularityExtensions
{
    public static bool IsDefined(this Granularity granularity) => granularity is Granularity.Minute or Granularity.Hour or Granularity.Day;

    public static TimeSpan BucketSize(this Granularity granularity) => granularity switch
    {
        Granularity.Minute => TimeSpan.FromMinutes(1),
        Granularity.Hour => TimeSpan.FromHours(1),
        Granularity.Day => TimeSpan.FromDays(1),
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "Unknown granularity."),
    };

    /// <summary>Gets the start of the UTC bucket holding <paramref name="time"/>.</summary>
    public static DateTimeOffset Floor(this Granularity granularity, DateTimeOffset time)
    {
        long size = granularity.BucketSize().Ticks;
        long ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % size), TimeSpan.Zero);
    }

    /// <summary>
    /// Gets the end of the UTC bucket holding the instant just before <paramref name="time"/>: <paramref name="time"/>
    /// itself when aligned.
    /// </summary>
    public static DateTimeOffset Ceiling(this Granularity granularity, DateTimeOffset time)
    {
        var floor = granularity.Floor(time);
        return floor == time ? floor : floor + granularity.BucketSize();
    }

    public static string ToWireName(this Granularity granularity) => granularity switch
    {
        Granularity.Minute => "minute",
        Granularity.Hour => "hour",
        Granularity.Day => "day",
        _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "Unknown granularity."),
    };
}
