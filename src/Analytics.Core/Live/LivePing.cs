namespace Analytics.Live;

/// <summary>The payload of a <c>ping</c> message.</summary>
internal sealed record LivePing(DateTimeOffset Time);
