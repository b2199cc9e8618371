using System.Net.Sockets;
using System.Text;
using Analytics.AspNetCore.Endpoints;
using Analytics.Live;
using Analytics.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit.Abstractions;

namespace Analytics.AspNetCore.Tests.Endpoints.Live;

/// <summary>
/// DESIGN §6: a slow subscriber never slows the writer or the other subscribers. 100 connections on a real Kestrel, one
/// of them a socket that never reads: the 99 others receive every event, and the stalled one is told what it lost.
/// (The writer's throughput with and without 100 subscribers is measured in benchmarks/, LiveFeedBenchmarks.)
/// </summary>
public class SlowSubscriberTests(ITestOutputHelper output)
{
    private const int Readers = 99;
    private const int Rounds = 25;
    private const int EventsPerRound = 200;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task OneSubscriberThatNeverReadsDoesNotCostTheOthersAnyEvent()
    {
        // Small buffers everywhere, so that the stalled socket holds the server back after a few hundred KB instead of
        // many MB: the per-connection queue (256 instead of 4 096; a round of 200 events fits), Kestrel's response
        // buffer, and the kernel's send buffer (accepted sockets inherit it from the listening one)., so that the stalled socket overflows it with a few MB.
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.MapRequestAnalytics("/analytics"),
            configureBuilder: builder =>
            {
                builder.Services.Replace(ServiceDescriptor.Singleton(sp => new LiveFeed(
                    new LiveFeedLimits { SubscriberCapacity = 256, RequestsPerSecond = 1_000 }, new LiveMessageSerializer(), TimeProvider.System)));
                SmallSendBuffers.Apply(builder);
            });
        var feed = host.App.Services.GetRequiredService<LiveFeed>();
        var tracker = host.App.Services.GetRequiredService<IAnalyticsTracker>();

        using var stalled = new TcpClient { ReceiveBufferSize = 4_096 };
        await stalled.ConnectAsync(host.Client.BaseAddress!.Host, host.Client.BaseAddress.Port);
        await stalled.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /analytics/api/stream HTTP/1.1\r\nHost: {host.Client.BaseAddress.Authority}\r\nAccept: text/event-stream\r\n\r\n"));

        var readers = new List<SseReader>();
        try
        {
            for (var i = 0; i < Readers; i++)
            {
                readers.Add(await SseReader.OpenAsync(host.Client, "/analytics/api/stream"));
            }

            await Wait.UntilAsync(() => feed.SubscriberCount == Readers + 1, Deadline, "all 100 connections are open");

            // ~300 bytes an event: 5 000 of them are far more than the stalled socket's buffers and queue hold.
            var padding = new string('x', 200);
            for (var round = 1; round <= Rounds; round++)
            {
                for (var i = 0; i < EventsPerRound; i++)
                {
                    Assert.True(tracker.Track("load", new Dictionary<string, object?> { ["i"] = i, ["padding"] = padding }));
                }

                await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
                var expected = round * EventsPerRound;
                await Wait.UntilAsync(() => readers.All(r => EventCount(r) >= expected), Deadline, $"every reader has the {expected} events of round {round}");
            }

            Assert.All(readers, r => Assert.Equal(Rounds * EventsPerRound, EventCount(r)));
            Assert.All(readers, r => Assert.DoesNotContain(r.Received, e => e.Data.Contains("\"dropped\"", StringComparison.Ordinal)));

            // The stalled connection was held back and lost its oldest events, and says so once it reads again.
            var dropped = await ReadUntilDroppedAsync(stalled.GetStream());
            output.WriteLine($"The stalled subscriber reported dropped={dropped}; each of the {Readers} readers received {Rounds * EventsPerRound} events.");
            Assert.InRange(dropped, 1, Rounds * EventsPerRound);
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    private static int EventCount(SseReader reader) => reader.Received.Count(e => e.Type == "event");

    private static async Task<long> ReadUntilDroppedAsync(NetworkStream stream)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var buffer = new byte[64 * 1024];
        var tail = "";
        while (true)
        {
            var read = await stream.ReadAsync(buffer, deadline.Token);
            Assert.True(read > 0, "the stalled connection ended before reporting what it dropped");
            var text = tail + Encoding.UTF8.GetString(buffer, 0, read);
            var at = text.IndexOf("{\"dropped\":", StringComparison.Ordinal);
            if (at >= 0 && text.IndexOf(',', at) is var comma and > 0)
            {
                return long.Parse(text[(at + "{\"dropped\":".Length)..comma], System.Globalization.CultureInfo.InvariantCulture);
            }

            tail = text[Math.Max(0, text.Length - 64)..];
        }
    }
}
