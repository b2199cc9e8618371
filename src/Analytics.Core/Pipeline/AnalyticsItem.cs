using Analytics.Storage;

namespace Analytics.Pipeline;

/// <summary>
/// What travels through the queue: a request, inline (a struct, so queuing one allocates nothing), or a custom event.
/// Fields rather than properties, so the writer reads the request where it lies instead of copying it out.
/// </summary>
internal readonly struct AnalyticsItem
{
    /// <summary>The request, when <see cref="Event"/> is <see langword="null"/>.</summary>
    public readonly RequestRecord Request;

    /// <summary>The custom event, or <see langword="null"/> for a request.</summary>
    public readonly EventRecord? Event;

    public AnalyticsItem(in RequestRecord request)
    {
        Request = request;
        Event = null;
    }

    public AnalyticsItem(EventRecord analyticsEvent)
    {
        Event = analyticsEvent;
        Request = default;
    }
}
