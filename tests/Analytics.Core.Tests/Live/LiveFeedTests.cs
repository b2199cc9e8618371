using Analytics.Live;
using Analytics.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Live;

public sealed class LiveFeedTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public void IdsStartAtTheStartTimeInMicrosecondsAndIncreaseWithEveryMessage()
    {
        var feed = Feed();
        Assert.Equal(Start.ToUnixTimeMilliseconds() * 1_000, feed.LastId);
        using var subscriber = feed.TrySubscribe(null)!;

        feed.Publish([Request("/a"), Request("/b")], [Event("deploy")]);
        feed.Broadcast(LiveMessageKind.Ping, null);
        feed.Pump();

        var messages = Drain(subscriber);
        Assert.Equal([LiveMessageKind.Request, LiveMessageKind.Request, LiveMessageKind.Event, LiveMessageKind.Ping], messages.Select(m => m.Kind));
        Assert.Equal(Enumerable.Range(1, 4).Select(i => Start.ToUnixTimeMilliseconds() * 1_000 + i), messages.Select(m => m.Id));
        Assert.Equal(feed.LastId, messages[^1].Id);
    }

    [Fact]
    public void ANewConnectionStartsNowAndAReconnectGetsOnlyWhatItMissed()
    {
        var feed = Feed();
        using (var first = feed.TrySubscribe(null)!)
        {
            feed.Publish([Request("/seen")], []);
            feed.Pump();
            Assert.Equal("/seen", TestLiveSerializer.Text(Assert.Single(Drain(first))));
        }

        var lastSeen = feed.LastId;
        feed.Publish([Request("/missed-1"), Request("/missed-2")], []);
        feed.Pump();

        using var fresh = feed.TrySubscribe(null)!;
        Assert.Equal(feed.LastId, fresh.ConnectedId);
        Assert.Empty(Drain(fresh));

        using var resumed = feed.TrySubscribe(lastSeen)!;
        Assert.Equal(lastSeen, resumed.ConnectedId);
        Assert.Equal(["/missed-1", "/missed-2"], Drain(resumed).Select(TestLiveSerializer.Text));

        // What the replay queued is not sent again by the fan-out, and what follows arrives once.
        feed.Publish([Request("/after")], []);
        feed.Pump();
        Assert.Equal(["/after"], Drain(resumed).Select(TestLiveSerializer.Text));
    }

    [Fact]
    public void AReplayDoesNotDuplicateMessagesTheFanOutHasNotDeliveredYet()
    {
        var feed = Feed();
        using var listener = feed.TrySubscribe(null)!;
        var before = feed.LastId;
        feed.Publish([Request("/pending")], []); // in the ring, not yet fanned out

        using var resumed = feed.TrySubscribe(before)!;
        feed.Pump();

        Assert.Equal(["/pending"], Drain(resumed).Select(TestLiveSerializer.Text));
        Assert.Equal(["/pending"], Drain(listener).Select(TestLiveSerializer.Text));
    }

    [Fact]
    public void ALastEventIdFromTheFutureOrAnEarlierRunReplaysNothingItShouldNot()
    {
        var feed = Feed();
        using (feed.TrySubscribe(null))
        {
            feed.Publish([Request("/a")], []);
            feed.Pump();
        }

        using var future = feed.TrySubscribe(long.MaxValue)!;
        Assert.Equal(feed.LastId, future.ConnectedId);
        Assert.Empty(Drain(future));

        // An id from an earlier run is lower than every id of this one: the whole ring is what it missed.
        using var earlier = feed.TrySubscribe(1)!;
        Assert.Equal(["/a"], Drain(earlier).Select(TestLiveSerializer.Text));
    }

    [Fact]
    public void TheRingKeepsOnlyTheLatestMessages()
    {
        var feed = Feed(replayCapacity: 4);
        var before = feed.LastId;
        using (feed.TrySubscribe(null))
        {
            feed.Publish([.. Enumerable.Range(1, 10).Select(i => Request($"/{i}"))], []);
            feed.Pump();
        }

        using var resumed = feed.TrySubscribe(before)!;
        Assert.Equal(["/7", "/8", "/9", "/10"], Drain(resumed).Select(TestLiveSerializer.Text));
    }

    [Fact]
    public void NothingIsPublishedOrKeptWhileNobodyListensOrListenedRecently()
    {
        var feed = Feed();
        Assert.False(feed.IsActive);
        var before = feed.LastId;
        feed.Publish([Request("/unheard")], []);
        Assert.Equal(before, feed.LastId);

        using (feed.TrySubscribe(null))
        {
            Assert.True(feed.IsActive);
        }

        // For five minutes after the last subscriber left, the ring keeps filling so a reconnect finds what it missed.
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.True(feed.IsActive);
        feed.Publish([Request("/kept")], []);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(feed.IsActive);
        feed.Publish([Request("/dropped")], []);

        // After the gap the old ring is forgotten: replaying it would hide that events were missed in between.
        using var late = feed.TrySubscribe(before)!;
        Assert.Empty(Drain(late));
    }

    [Fact]
    public void ASubscriberThatDoesNotReadLosesItsOldestMessagesAndIsToldHowMany()
    {
        var feed = Feed(subscriberCapacity: 3);
        using var stalled = feed.TrySubscribe(null)!;
        using var reader = feed.TrySubscribe(null)!;

        var read = new List<LiveMessage>();
        for (var i = 1; i <= 5; i++)
        {
            feed.Publish([], [Event($"e{i}")]);
            feed.Pump();
            read.AddRange(Drain(reader)); // this one keeps up
        }

        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], read.Select(TestLiveSerializer.Text));
        Assert.Equal(0, reader.TakeDropped());
        Assert.Equal(["e3", "e4", "e5"], Drain(stalled).Select(TestLiveSerializer.Text));
        Assert.Equal(2, stalled.TakeDropped());
        Assert.Equal(0, stalled.TakeDropped());
    }

    [Fact]
    public void RequestMessagesAreCappedPerSubscriberPerSecondAndTheExcessIsCounted()
    {
        var feed = Feed(requestsPerSecond: 10);
        using var subscriber = feed.TrySubscribe(null)!;

        feed.Publish([.. Enumerable.Range(1, 25).Select(i => Request($"/{i}"))], [Event("not-capped")]);
        feed.Pump();
        var first = Drain(subscriber);
        Assert.Equal(10, first.Count(m => m.Kind == LiveMessageKind.Request));
        Assert.Single(first, m => m.Kind == LiveMessageKind.Event);
        Assert.Equal(15, subscriber.TakeDropped());

        // Half a second refills half the bucket.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        feed.Publish([.. Enumerable.Range(1, 25).Select(i => Request($"/{i}"))], []);
        feed.Pump();
        Assert.Equal(5, Drain(subscriber).Count);
        Assert.Equal(20, subscriber.TakeDropped());
    }

    [Fact]
    public void TheSubscriberCapRefusesOneMoreAndFreesASlotWhenOneLeaves()
    {
        var feed = Feed(maxSubscribers: 2);
        var first = feed.TrySubscribe(null)!;
        using var second = feed.TrySubscribe(null)!;
        Assert.Null(feed.TrySubscribe(null));
        Assert.Equal(2, feed.SubscriberCount);

        first.Dispose();
        first.Dispose(); // twice is harmless
        Assert.Equal(1, feed.SubscriberCount);
        using var third = feed.TrySubscribe(null);
        Assert.NotNull(third);
    }

    [Fact]
    public async Task CloseAllEndsEveryConnectionAfterWhatItHasQueued()
    {
        var feed = Feed();
        using var a = feed.TrySubscribe(null)!;
        using var b = feed.TrySubscribe(null)!;
        feed.Publish([Request("/last")], []);
        feed.Pump();

        Assert.Equal(2, feed.CloseAll());
        Assert.Equal(0, feed.SubscriberCount);
        Assert.True(await a.WaitToReadAsync(CancellationToken.None));
        Assert.True(a.TryRead(out var last));
        Assert.Equal("/last", TestLiveSerializer.Text(last));
        Assert.False(await a.WaitToReadAsync(CancellationToken.None));
        Assert.True(b.TryRead(out _));
        Assert.False(await b.WaitToReadAsync(CancellationToken.None));
        Assert.Equal(0, feed.CloseAll());
    }

    [Fact]
    public async Task TheFanOutLoopDeliversUntilItIsCancelled()
    {
        var feed = Feed();
        using var subscriber = feed.TrySubscribe(null)!;
        using var stop = new CancellationTokenSource();
        var loop = feed.RunAsync(stop.Token);

        feed.Publish([Request("/live")], []);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await subscriber.WaitToReadAsync(timeout.Token));
        Assert.True(subscriber.TryRead(out var message));
        Assert.Equal("/live", TestLiveSerializer.Text(message));

        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }

    [Fact]
    public void AQueueHoldsAtMostItsBytesAndLosesItsOldestMessagesFirst()
    {
        var size = Sized("e0").Size;
        var feed = Feed(new LiveFeedLimits { SubscriberBytes = (3 * size) + (size / 2) });
        using var stalled = feed.TrySubscribe(null)!;

        for (var i = 1; i <= 5; i++)
        {
            feed.Publish([], [Big($"e{i}")]);
            feed.Pump();
            Assert.InRange(stalled.QueuedBytes, 0, (3 * size) + (size / 2));
        }

        Assert.Equal(3 * size, feed.QueuedBytes);
        Assert.Equal(["e3", "e4", "e5"], Drain(stalled).Select(TestLiveSerializer.Text));
        Assert.Equal(2, stalled.TakeDropped());
        Assert.Equal(0, feed.QueuedBytes);
    }

    [Fact]
    public void AMessageLargerThanAWholeQueueIsDroppedAndCounted()
    {
        var size = Sized("e0").Size;
        var feed = Feed(new LiveFeedLimits { SubscriberBytes = size - 1 });
        using var subscriber = feed.TrySubscribe(null)!;

        feed.Publish([Request("/small")], [Big("too-big")]);
        feed.Pump();

        Assert.Equal(["/small"], Drain(subscriber).Select(TestLiveSerializer.Text));
        Assert.Equal(1, subscriber.TakeDropped());
    }

    [Fact]
    public void TheQueuesTogetherStayUnderTheTotalAndTheReadersFurthestBehindLoseFirst()
    {
        var size = Sized("e0").Size;
        var feed = Feed(new LiveFeedLimits { SubscriberBytes = 4 * size, TotalBytes = 5 * size });
        using var slowA = feed.TrySubscribe(null)!;
        using var slowB = feed.TrySubscribe(null)!;
        using var reader = feed.TrySubscribe(null)!;

        var read = new List<string>();
        for (var i = 1; i <= 6; i++)
        {
            feed.Publish([], [Big($"e{i}")]);
            feed.Pump();
            Assert.InRange(feed.QueuedBytes, 0, 5 * size);
            read.AddRange(Drain(reader).Select(TestLiveSerializer.Text));
        }

        Assert.Equal(["e1", "e2", "e3", "e4", "e5", "e6"], read);
        Assert.Equal(0, reader.TakeDropped());

        // The two stalled readers shared the loss, and each kept the latest messages.
        Assert.Equal(["e5", "e6"], Drain(slowA).Select(TestLiveSerializer.Text));
        Assert.Equal(["e5", "e6"], Drain(slowB).Select(TestLiveSerializer.Text));
        Assert.Equal((4, 4), (slowA.TakeDropped(), slowB.TakeDropped()));
    }

    [Fact]
    public void TheRingKeepsOnlyWhatFitsItsBytesAndLetsGoOfItOnceNoReconnectCanUseIt()
    {
        var size = Sized("e0").Size;
        var feed = Feed(new LiveFeedLimits { ReplayBytes = 3 * size });
        var before = feed.LastId;
        using (feed.TrySubscribe(null))
        {
            feed.Publish([], [.. Enumerable.Range(1, 5).Select(i => Big($"e{i}"))]);
            feed.Pump();
            Assert.Equal(3 * size, feed.ReplayBytes);
        }

        using (var resumed = feed.TrySubscribe(before)!)
        {
            Assert.Equal(["e3", "e4", "e5"], Drain(resumed).Select(TestLiveSerializer.Text));
        }

        feed.ForgetIfIdle();
        Assert.Equal(3 * size, feed.ReplayBytes); // within the replay window a reconnect may still come
        _time.Advance(TimeSpan.FromMinutes(6));
        feed.ForgetIfIdle();
        Assert.Equal(0, feed.ReplayBytes);
    }

    [Fact]
    public void AReplayPassesTheRequestCapAndKeepsTheLatestRequests()
    {
        var feed = Feed(requestsPerSecond: 10);
        var before = feed.LastId;
        using (feed.TrySubscribe(null))
        {
            feed.Publish([.. Enumerable.Range(1, 25).Select(i => Request($"/{i}"))], [Event("not-capped")]);
            feed.Pump();
        }

        using var resumed = feed.TrySubscribe(before)!;

        Assert.Equal([.. Enumerable.Range(16, 10).Select(i => $"/{i}"), "not-capped"], Drain(resumed).Select(TestLiveSerializer.Text));
        Assert.Equal(15, resumed.TakeDropped());

        // The replay used this second's requests: the next live one waits for the bucket to refill.
        feed.Publish([Request("/live")], []);
        feed.Pump();
        Assert.Empty(Drain(resumed));
        Assert.Equal(1, resumed.TakeDropped());
    }

    [Fact]
    public void AReplayKeepsWithinTheQueuesBytesAndKeepsTheLatest()
    {
        var size = Sized("e0").Size;
        var feed = Feed(new LiveFeedLimits { SubscriberBytes = 2 * size });
        var before = feed.LastId;
        using (feed.TrySubscribe(null))
        {
            feed.Publish([], [.. Enumerable.Range(1, 5).Select(i => Big($"e{i}"))]);
            feed.Pump();
        }

        using var resumed = feed.TrySubscribe(before)!;

        Assert.Equal(2 * size, resumed.QueuedBytes);
        Assert.Equal(["e4", "e5"], Drain(resumed).Select(TestLiveSerializer.Text));
        Assert.Equal(3, resumed.TakeDropped());
    }

    [Fact]
    public void ClosedConnectionsCountTowardTheCapUntilTheyEnd()
    {
        var feed = Feed(maxSubscribers: 2);
        var a = feed.TrySubscribe(null)!;
        var b = feed.TrySubscribe(null)!;
        feed.Publish([], [Big("queued")]);
        feed.Pump();

        Assert.Equal(2, feed.CloseAll());
        Assert.Equal(0, feed.SubscriberCount);
        Assert.Equal(2, feed.ConnectionCount);
        Assert.Null(feed.TrySubscribe(null)); // both still have their last message to send

        a.Dispose();
        Assert.Equal(1, feed.ConnectionCount);
        Assert.Equal(Sized("queued").Size, feed.QueuedBytes); // what the ended one had queued is let go
        using var c = feed.TrySubscribe(null);
        Assert.NotNull(c);
        Assert.Null(feed.TrySubscribe(null));
        b.Dispose();
        Assert.Equal(1, feed.ConnectionCount);
    }

    private LiveFeed Feed(int maxSubscribers = 100, int replayCapacity = 1_024, int subscriberCapacity = 4_096, int requestsPerSecond = 1_000) =>
        Feed(new LiveFeedLimits
        {
            MaxSubscribers = maxSubscribers,
            ReplayCapacity = replayCapacity,
            SubscriberCapacity = subscriberCapacity,
            RequestsPerSecond = requestsPerSecond,
        });

    private LiveFeed Feed(LiveFeedLimits limits) => new(limits, new TestLiveSerializer(), _time);

    private static List<LiveMessage> Drain(LiveSubscriber subscriber)
    {
        var messages = new List<LiveMessage>();
        while (subscriber.TryRead(out var message))
        {
            messages.Add(message);
        }

        return messages;
    }

    private RequestRecord Request(string path) => new()
    {
        Timestamp = _time.GetUtcNow(),
        Method = "GET",
        Route = path,
        Path = path,
        StatusCode = 200,
        Duration = TimeSpan.FromMilliseconds(3),
    };

    private EventRecord Event(string name) => new() { Timestamp = _time.GetUtcNow(), Name = name };

    /// <summary>An event of ~1 KB of JSON; events whose names have the same length have the same size.</summary>
    private EventRecord Big(string name) => Event(name) with { PropertiesJson = "{\"padding\":\"" + new string('x', 1_000) + "\"}" };

    /// <summary>The message <see cref="Big"/> makes, serialized, to read its size.</summary>
    private LiveMessage Sized(string name)
    {
        var message = LiveMessage.ForPayload(1, LiveMessageKind.Event, Big(name), replayable: true);
        message.Serialize(new TestLiveSerializer());
        return message;
    }
}
