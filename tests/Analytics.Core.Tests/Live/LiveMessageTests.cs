using Analytics.Live;
using Analytics.Storage;

namespace Analytics.Tests.Live;

public sealed class LiveMessageTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AMessageIsSerializedOnceForEveryConnection()
    {
        var payload = new EventRecord { Timestamp = Start, Name = "x" };
        var message = LiveMessage.ForPayload(1, LiveMessageKind.Event, payload);
        var calls = 0;
        string Serialize(LiveMessage m) => $"{{\"n\":{++calls}}}";

        Assert.Equal("{\"n\":1}", message.GetJson(Serialize));
        Assert.Equal("{\"n\":1}", message.GetJson(Serialize));
        Assert.Equal(1, calls);
    }
}
