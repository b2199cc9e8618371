namespace Analytics;

/// <summary>Tracks custom events. Never blocks: when the queue is full the event is dropped, counted, and <see langword="false"/> returned.</summary>
public interface IAnalyticsTracker
{
    /// <summary>Tracks an event by name.</summary>
    /// <param name="name">The event name: 1 to 100 characters, no control characters.</param>
    /// <param name="properties">Optional properties, stored as JSON.</param>
    /// <param name="userId">Optional id of the user the event concerns.</param>
    /// <returns><see langword="true"/> when the event was queued; <see langword="false"/> when it was dropped.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than 100 characters or holds control characters.</exception>
    bool Track(string name, IReadOnlyDictionary<string, object?>? properties = null, string? userId = null);

    /// <summary>Tracks an event.</summary>
    /// <param name="analyticsEvent">The event.</param>
    /// <returns><see langword="true"/> when the event was queued; <see langword="false"/> when it was dropped.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than 100 characters or holds control characters.</exception>
    bool Track(AnalyticsEvent analyticsEvent);
}
