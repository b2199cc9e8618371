namespace Analytics;

/// <summary>Long-lived requests (connections) and how long they lasted, in milliseconds; all 0 when there were none.</summary>
public sealed record ConnectionSummary
{
    /// <summary>Gets a summary of no connections.</summary>
    public static ConnectionSummary None { get; } = new() { Count = 0, AvgDuration = 0, MaxDuration = 0 };

    /// <summary>
    /// Gets the number of connections that opened in the range and have closed: like any request, a connection is
    /// recorded when it ends, under the time it started.
    /// </summary>
    public required long Count { get; init; }

    /// <summary>Gets the exact mean time they stayed open.</summary>
    public required double AvgDuration { get; init; }

    /// <summary>Gets the longest time one stayed open.</summary>
    public required double MaxDuration { get; init; }
}
