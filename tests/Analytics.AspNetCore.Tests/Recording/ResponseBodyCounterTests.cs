using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Analytics.AspNetCore.Tests.Recording;

/// <summary>
/// The response byte counter is kept per connection and reused by the next request on it: each request must still get
/// its own count, written through the stream, the pipe writer or behind another middleware's body feature.
/// </summary>
public class ResponseBodyCounterTests
{
    [Fact]
    public async Task EveryRequestOnOneKeptAliveConnectionGetsItsOwnByteCount()
    {
        var connections = new ConcurrentDictionary<string, bool>();
        await using var host = await AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet("/stream/{n:int}", async (int n, HttpResponse response) => await response.Body.WriteAsync(new byte[n]));
                app.MapGet("/pipe/{n:int}", async (int n, HttpResponse response) =>
                {
                    await response.BodyWriter.WriteAsync(new byte[n]); // a statement: a returned FlushResult would be written as JSON
                });
                app.MapGet("/wrapped/{n:int}", async (int n, HttpResponse response) => await response.Body.WriteAsync(new byte[n]));
                app.MapGet("/empty", () => Results.NoContent());
            },
            beforeAnalytics: app => app.Use(async (context, next) =>
            {
                connections[context.Connection.Id] = true;

                // A body feature that differs on every request, in front of which the counter sits for /wrapped.
                if (context.Request.Path.StartsWithSegments("/wrapped"))
                {
                    var inner = context.Features.Get<IHttpResponseBodyFeature>()!;
                    context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(inner.Stream, inner));
                    await next(context);
                    context.Features.Set(inner);
                    return;
                }

                await next(context);
            }));

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
        using var client = new HttpClient(handler) { BaseAddress = host.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var expected = new List<(string Path, long Bytes)>();
        string[] kinds = ["stream", "pipe", "wrapped", "empty"];
        for (var i = 0; i < 24; i++)
        {
            var kind = kinds[i % kinds.Length];
            var bytes = kind == "empty" ? 0 : 1 + (i * 997 % 5_000);
            var path = kind == "empty" ? "/empty" : $"/{kind}/{bytes}";
            using var response = await client.GetAsync(path);
            response.EnsureSuccessStatusCode();
            Assert.Equal(bytes, (await response.Content.ReadAsByteArrayAsync()).Length);
            expected.Add((path, bytes));
        }

        await host.Pipeline.FlushAsync();
        Assert.Single(connections); // one connection carried every request, so its kept counter was reused 23 times
        Assert.Equal(expected.Order(), (await StoredRequests.ReadAllAsync(host.DatabasePath)).Select(r => (r.Path, r.ResponseBytes)).Order());
    }

    [Fact]
    public void AKeptCounterIsReusedOnlyOnceTheRequestHoldingItIsDone()
    {
        var state = new PersistentState();
        var context = NewContext(state, new MemoryStream());

        var outer = ResponseBodyCounter.Attach(context)!;
        var nested = ResponseBodyCounter.Attach(context)!; // a second analytics middleware in the same pipeline
        Assert.NotSame(outer, nested);
        Assert.Same(outer, Assert.Single(state.State.Values));

        context.Features.Get<IHttpResponseBodyFeature>()!.Stream.Write(new byte[7]);
        Assert.Equal((7, 7), (nested.Bytes, outer.Bytes));
        nested.Detach(context);
        outer.Detach(context);

        // The next request on the connection: the same counter, counting from zero, writing to the new response.
        var body = new MemoryStream();
        var next = NewContext(state, body);
        Assert.Same(outer, ResponseBodyCounter.Attach(next));
        next.Features.Get<IHttpResponseBodyFeature>()!.Stream.Write(new byte[3]);
        Assert.Equal(3, outer.Bytes);
        outer.Detach(next);
        Assert.Equal(3, body.Length);
    }

    [Fact]
    public void TheConnectionsClientAddressTravelsWithItsCounter()
    {
        var state = new PersistentState();
        var context = NewContext(state, new MemoryStream());
        var first = ResponseBodyCounter.Attach(context)!;
        var formatted = first.Client.Format(IPAddress.Parse("203.0.113.77"), anonymize: false);
        first.Detach(context);

        var next = ResponseBodyCounter.Attach(NewContext(state, new MemoryStream()))!; // the next request on the connection
        Assert.Same(first.Client, next.Client);
        Assert.Same(formatted, next.Client.Format(IPAddress.Parse("203.0.113.77"), anonymize: false));
    }

    [Fact]
    public void WithoutPersistentStateEveryRequestGetsANewCounter()
    {
        var context = NewContext(state: null, new MemoryStream());
        var first = ResponseBodyCounter.Attach(context)!;
        first.Detach(context);
        Assert.NotSame(first, ResponseBodyCounter.Attach(context));
    }

    private static DefaultHttpContext NewContext(PersistentState? state, Stream body)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        if (state is not null)
        {
            context.Features.Set<IPersistentStateFeature>(state);
        }

        return context;
    }

    private sealed class PersistentState : IPersistentStateFeature
    {
        public IDictionary<object, object?> State { get; } = new Dictionary<object, object?>();
    }
}
