namespace Analytics.Live;

/// <summary>The bounds of the live feed's memory, from the options and the internal defaults; tests set their own.</summary>
internal sealed record LiveFeedLimits
{
    /// <summary>Gets the most connections, open or closed and still draining (<see cref="RequestAnalyticsOptions.MaxStreamSubscribers"/>).</summary>
    public int MaxSubscribers { get; init; } = RequestAnalyticsDefaults.MaxStreamSubscribers;

    /// <summary>Gets the most messages the replay ring keeps.</summary>
    public int ReplayCapacity { get; init; } = RequestAnalyticsDefaults.StreamReplayCapacity;

    /// <summary>Gets the most bytes the replay ring keeps.</summary>
    public long ReplayBytes { get; init; } = RequestAnalyticsDefaults.StreamReplayBytes;

    /// <summary>Gets the most messages one connection's queue holds.</summary>
    public int SubscriberCapacity { get; init; } = RequestAnalyticsDefaults.StreamSubscriberCapacity;

    /// <summary>Gets the most bytes one connection's queue holds (<see cref="RequestAnalyticsOptions.MaxStreamBufferBytes"/>).</summary>
    public long SubscriberBytes { get; init; } = RequestAnalyticsDefaults.MaxStreamBufferBytes;

    /// <summary>Gets the most bytes all queues hold together (<see cref="RequestAnalyticsOptions.MaxStreamTotalBufferBytes"/>).</summary>
    public long TotalBytes { get; init; } = RequestAnalyticsDefaults.MaxStreamTotalBufferBytes;

    /// <summary>Gets the per-connection cap on request messages.</summary>
    public int RequestsPerSecond { get; init; } = RequestAnalyticsDefaults.StreamRequestsPerSecond;

    public static LiveFeedLimits From(RequestAnalyticsOptions options) => new()
    {
        MaxSubscribers = options.MaxStreamSubscribers,
        SubscriberBytes = options.MaxStreamBufferBytes,
        TotalBytes = options.MaxStreamTotalBufferBytes,

        // A replay lands in one connection's queue: keeping more than that queue holds would only be dropped there.
        ReplayBytes = Math.Min(RequestAnalyticsDefaults.StreamReplayBytes, options.MaxStreamBufferBytes),
    };
}
