using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Analytics.Live;
using Analytics.Storage;
using Analytics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Endpoints.Live;

/// <summary>
/// A client that opens the stream and never reads, while large custom events go by (issue 27: one such client pinned
/// ~780 MB, 4 096 queued events as the writer produced them, and the replay ring kept 1 024 of them after it left).
/// Its queue stays within <see cref="RequestAnalyticsOptions.MaxStreamBufferBytes"/>, and the messages come back when it
/// disconnects, all but the replay ring's. Which messages are still reachable is counted through weak references: the
/// live heap is the whole process's, and after the parallel tests it carries a few MB that come and go with them (the
/// official run of 51ff318 measured 7 MB above the baseline both connected and after the client left, where this test
/// alone measures 1 MB), so the heap is printed, not held to a bound: a bound wide enough for that noise is one the 19 MB
/// of an unbounded queue in this test would barely break. It still runs alone, for the printed figures.
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
public class StalledStreamMemoryTests(ITestOutputHelper output)
{
    private const string Stream = "/analytics/api/stream";
    private const long BufferBytes = 1024 * 1024;
    private const int Events = 300;
    private const int EventBytes = 64 * 1024;

    // The replay ring and the stalled queue hold at most BufferBytes each, so at most this many events each.
    private const int HeldAtMost = (int)(BufferBytes / EventBytes);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AClientThatNeverReadsHoldsAtMostItsBufferAndGivesItBackWhenItLeaves()
    {
        await using var host = await EndpointTestApp.StartAsync(o =>
        {
            o.MaxStreamBufferBytes = BufferBytes;
            o.MaxStreamTotalBufferBytes = BufferBytes;
        });
        var feed = host.App.Services.GetRequiredService<LiveFeed>();

        // A stream opened and closed once first, so that what the first connection allocates for good is in the baseline.
        await using (var warm = await SseReader.OpenAsync(host.Client, Stream))
        {
            await warm.NextAsync("connected");
        }

        await Wait.UntilAsync(() => feed.ConnectionCount == 0, Deadline, "the warm-up stream has ended");
        var baseline = (Heap: LiveHeap(), Rss: Rss());

        using var stalled = new TcpClient { ReceiveBufferSize = 4_096 };
        await stalled.ConnectAsync(host.Client.BaseAddress!.Host, host.Client.BaseAddress.Port);
        await stalled.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
            $"GET {Stream} HTTP/1.1\r\nHost: {host.Client.BaseAddress.Authority}\r\nAccept: text/event-stream\r\n\r\n"));
        await Wait.UntilAsync(() => feed.SubscriberCount == 1, Deadline, "the stalled stream is open");

        // Published as the writer does after a batch, without the store, whose own memory is not what this measures. An
        // in-process subscriber that reads at once sees each message, and keeps only a weak reference to it.
        var published = await PublishWatchedAsync(feed);
        var queued = feed.QueuedBytes;
        var heldConnected = Reachable(published);
        var connected = (Heap: LiveHeap(), Rss: Rss());

        stalled.Dispose();
        await Wait.UntilAsync(() => feed.ConnectionCount == 0, Deadline, "the server sees the stalled client leave");
        var heldAfter = Reachable(published);
        var left = (Heap: LiveHeap(), Rss: Rss(), Queued: feed.QueuedBytes);

        output.WriteLine(
            $"{Events} events of {EventBytes / 1024} KB; queued {queued / 1024} KB (bound {BufferBytes / 1024} KB), replay ring {feed.ReplayBytes / 1024} KB. " +
            $"Events still reachable: {heldConnected} connected, {heldAfter} after it left (bounds {2 * HeldAtMost + 2}, {HeldAtMost}). " +
            $"Live heap above baseline: {Mb(connected.Heap - baseline.Heap)} MB connected, " +
            $"{Mb(left.Heap - baseline.Heap)} MB after it left. RSS {Mb(baseline.Rss)} → {Mb(connected.Rss)} → {Mb(left.Rss)} MB.");
        Assert.Equal(Events, published.Count);
        Assert.InRange(queued, 1, BufferBytes);
        Assert.InRange(heldConnected, 1, (2 * HeldAtMost) + 2); // the queue, the ring, and one in Kestrel's pipe or in hand
        Assert.Equal(0, left.Queued);
        Assert.InRange(heldAfter, 1, HeldAtMost); // the ring's only, kept for a reconnect
    }

    private static async Task<List<WeakReference>> PublishWatchedAsync(LiveFeed feed)
    {
        var watched = new List<WeakReference>(Events);
        using var probe = feed.TrySubscribe(lastEventId: null) ?? throw new InvalidOperationException("no slot for the probe");
        using var deadline = new CancellationTokenSource(Deadline);
        for (var i = 0; i < Events; i++)
        {
            feed.Publish([], [BigEvent(i)]);
            var id = feed.LastId;

            // The fan-out loop queues it for the probe and the stalled client alike; the probe takes it at once.
            var seen = false;
            while (!seen && await probe.WaitToReadAsync(deadline.Token))
            {
                while (probe.TryRead(out var message))
                {
                    if (message.Kind == LiveMessageKind.Event)
                    {
                        watched.Add(new WeakReference(message));
                    }

                    seen |= message.Id >= id;
                }
            }
        }

        return watched;
    }

    private static int Reachable(List<WeakReference> published)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return published.Count(reference => reference.IsAlive);
    }

    private static EventRecord BigEvent(int i) => new()
    {
        Timestamp = DateTimeOffset.UtcNow,
        Name = "big",
        PropertiesJson = $"{{\"i\":{i},\"padding\":\"{new string('x', EventBytes)}\"}}",
    };

    private static long LiveHeap() => GC.GetTotalMemory(forceFullCollection: true);

    private static long Rss()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static long Mb(long bytes) => bytes / (1024 * 1024);
}
