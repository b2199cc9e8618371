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
/// Its queue stays within <see cref="RequestAnalyticsOptions.MaxStreamBufferBytes"/>, the heap with it, and both come
/// back when it disconnects. The live heap is the whole test process's, so this runs alone.
/// </summary>
[Collection(MeasuredAloneCollection.Name)]
public class StalledStreamMemoryTests(ITestOutputHelper output)
{
    private const string Stream = "/analytics/api/stream";
    private const long BufferBytes = 1024 * 1024;
    private const int Events = 300;
    private const int EventBytes = 64 * 1024;

    // Connected: the stalled queue and the replay ring (1 MiB each at most), one event in Kestrel's response pipe, and the
    // buffers of the connection and of the runtime, well under 8 MiB. Without the bounds the 300 events, 38 MB as strings,
    // all stay. After the disconnect only the ring's 1 MiB may remain, for a reconnect.
    private const long MaxGrowthConnected = 8 * 1024 * 1024;
    private const long MaxGrowthAfter = 3 * 1024 * 1024;
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

        // Published as the writer does after each batch, without the store, whose own memory is not what this measures.
        for (var batch = 0; batch < Events / 50; batch++)
        {
            feed.Publish([], [.. Enumerable.Range(0, 50).Select(i => BigEvent(batch * 50 + i))]);
        }

        var published = feed.LastId;
        await Wait.UntilAsync(() => feed.FannedOutThrough >= published, Deadline, "the fan-out has queued every event");

        var queued = feed.QueuedBytes;
        var connected = (Heap: LiveHeap(), Rss: Rss());

        stalled.Dispose();
        await Wait.UntilAsync(() => feed.ConnectionCount == 0, Deadline, "the server sees the stalled client leave");
        var left = (Heap: LiveHeap(), Rss: Rss(), Queued: feed.QueuedBytes);

        output.WriteLine(
            $"{Events} events of {EventBytes / 1024} KB; queued {queued / 1024} KB (bound {BufferBytes / 1024} KB), replay ring {feed.ReplayBytes / 1024} KB. " +
            $"Live heap above baseline: {Mb(connected.Heap - baseline.Heap)} MB connected (bound {Mb(MaxGrowthConnected)}), " +
            $"{Mb(left.Heap - baseline.Heap)} MB after it left (bound {Mb(MaxGrowthAfter)}). " +
            $"RSS {Mb(baseline.Rss)} → {Mb(connected.Rss)} → {Mb(left.Rss)} MB.");
        Assert.InRange(queued, 1, BufferBytes);
        Assert.InRange(connected.Heap - baseline.Heap, long.MinValue, MaxGrowthConnected);
        Assert.Equal(0, left.Queued);
        Assert.InRange(left.Heap - baseline.Heap, long.MinValue, MaxGrowthAfter);
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
