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
            Assert.Equal("/seen", Assert.Single(Drain(first)).Request.Path);
        }

        var lastSeen = feed.LastId;
        feed.Publish([Request("/missed-1"), Request("/missed-2")], []);
        feed.Pump();

        using var fresh = feed.TrySubscribe(null)!;
        Assert.Equal(feed.LastId, fresh.ConnectedId);
        Assert.Empty(Drain(fresh));

        using var resumed = feed.TrySubscribe(lastSeen)!;
        Assert.Equal(lastSeen, resumed.ConnectedId);
        Assert.Equal(["/missed-1", "/missed-2"], Drain(resumed).Select(m => m.Request.Path));

        // What the replay queued is not sent again by the fan-out, and what follows arrives once.
        feed.Publish([Request("/after")], []);
        feed.Pump();
        Assert.Equal(["/after"], Drain(resumed).Select(m => m.Request.Path));
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

        Assert.Equal(["/pending"], Drain(resumed).Select(m => m.Request.Path));
        Assert.Equal(["/pending"], Drain(listener).Select(m => m.Request.Path));
    }

    [Fact]
    public void ALastEventIdFromTheFutureOrAnEarlierRunReplaysNothingItShouldNot()
    {
        var feed = Feed();
        using (feed.TrySubscribe(null))
        {
            feed.Publish([Request("/a")], []);
        }

        using var future = feed.TrySubscribe(long.MaxValue)!;
        Assert.Equal(feed.LastId, future.ConnectedId);
        Assert.Empty(Drain(future));

        // An id from an earlier run is lower than every id of this one: the whole ring is what it missed.
        using var earlier = feed.TrySubscribe(1)!;
        Assert.Equal(["/a"], Drain(earlier).Select(m => m.Request.Path));
    }

    [Fact]
    public void TheRingKeepsOnlyTheLatestMessages()
    {
        var feed = Feed(replayCapacity: 4);
        var before = feed.LastId;
        using (feed.TrySubscribe(null))
        {
            feed.Publish([.. Enumerable.Range(1, 10).Select(i => Request($"/{i}"))], []);
        }

        using var resumed = feed.TrySubscribe(before)!;
        Assert.Equal(["/7", "/8", "/9", "/10"], Drain(resumed).Select(m => m.Request.Path));
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

        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], read.Select(m => ((EventRecord)m.Payload!).Name));
        Assert.Equal(0, reader.TakeDropped());
        Assert.Equal(["e3", "e4", "e5"], Drain(stalled).Select(m => ((EventRecord)m.Payload!).Name));
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
        Assert.Equal("/last", last.Request.Path);
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
        Assert.Equal("/live", message.Request.Path);

        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }

    private LiveFeed Feed(int maxSubscribers = 100, int replayCapacity = 1_024, int subscriberCapacity = 4_096, int requestsPerSecond = 1_000) =>
        new(maxSubscribers, replayCapacity, subscriberCapacity, requestsPerSecond, _time);

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
}
