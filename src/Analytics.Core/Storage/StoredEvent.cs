namespace Analytics.Storage;

/// <summary>A raw custom event as stored, with its id.</summary>
/// <param name="Id">The row id; ids increase with insertion order.</param>
/// <param name="Event">The event.</param>
public sealed record StoredEvent(long Id, EventRecord Event);
