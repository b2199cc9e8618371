namespace Analytics.Live;

/// <summary>
/// Turns a live message's payload into the JSON its SSE <c>data</c> line carries. The ASP.NET Core package provides it,
/// since the JSON contracts live there; the feed calls it once per message, on its fan-out loop.
/// </summary>
internal interface ILiveMessageSerializer
{
    /// <summary>Returns the UTF-8 JSON of <paramref name="message"/>'s payload: one JSON object, on one line.</summary>
    byte[] Serialize(LiveMessage message);
}
