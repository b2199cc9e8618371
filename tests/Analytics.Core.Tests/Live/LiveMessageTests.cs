using Analytics.Live;
using Analytics.Storage;

namespace Analytics.Tests.Live;

public sealed class LiveMessageTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AMessageIsSerializedOnceForEveryConnectionAndThenHoldsOnlyItsBytes()
    {
        var payload = new EventRecord { Timestamp = Start, Name = "x", PropertiesJson = "{\"big\":\"" + new string('b', 1_000) + "\"}" };
        var message = LiveMessage.ForPayload(1, LiveMessageKind.Event, payload, replayable: true);
        var serializer = new CountingSerializer();

        message.Serialize(serializer);
        message.Serialize(serializer);

        Assert.Equal(1, serializer.Calls);
        Assert.Equal("{\"n\":1}", System.Text.Encoding.UTF8.GetString(message.Json.Span));
        Assert.Equal(7, message.Size);
        Assert.Null(message.Payload); // the queues count the bytes, so they must be all that a queued message holds
    }

    private sealed class CountingSerializer : ILiveMessageSerializer
    {
        public int Calls { get; private set; }

        public byte[] Serialize(LiveMessage message) => System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{++Calls}}}");
    }
}
