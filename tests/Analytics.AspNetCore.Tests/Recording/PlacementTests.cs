using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Recording;

/// <summary>
/// Every request a client sent is recorded once, with the bytes on the wire in both directions, wherever the host's own
/// middleware sits relative to <c>UseRequestAnalytics()</c>.
/// </summary>
public class PlacementTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ResponseCompressionBeforeAnalyticsRecordsTheCompressedBytesOnTheWire()
    {
        var text = string.Concat(Enumerable.Repeat("compressible analytics text ", 3_000));
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.MapGet("/report", () => Results.Text(text, "text/plain")),
            configureBuilder: builder => builder.Services.AddResponseCompression(),
            beforeAnalytics: app => app.UseResponseCompression());
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = host.Client.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/report");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        using var response = await client.SendAsync(request);
        var wire = await response.Content.ReadAsByteArrayAsync();

        Assert.Contains("gzip", response.Content.Headers.ContentEncoding);
        Assert.True(wire.Length < text.Length / 10, $"{wire.Length} bytes on the wire for {text.Length} of text");
        using (var unzipped = new StreamReader(new GZipStream(new MemoryStream(wire), CompressionMode.Decompress)))
        {
            Assert.Equal(text, await unzipped.ReadToEndAsync());
        }

        var row = Assert.Single(await host.RecordedAsync());
        Assert.Equal(wire.Length, row.ResponseBytes);
    }

    [Fact]
    public async Task OutputCacheBeforeAnalyticsStillRecordsEveryRequest()
    {
        var served = 0;
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.MapGet("/cached", () => Results.Text($"served {Interlocked.Increment(ref served)}")).CacheOutput(),
            configureBuilder: builder => builder.Services.AddOutputCache(),
            beforeAnalytics: app => app.UseOutputCache());

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("served 1", await host.Client.GetStringAsync("/cached"));
        }

        var rows = await host.RecordedAsync();
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal("/cached", r.Route);
            Assert.Equal(200, r.StatusCode);
            Assert.Equal("served 1".Length, r.ResponseBytes);
        });
    }

    [Fact]
    public async Task StaticFilesBeforeAnalyticsAreRecorded()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.File("wwwroot/css"));
        await File.WriteAllTextAsync(root.File("wwwroot/css/site.css"), "body{}");
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.MapGet("/api", () => "api"),
            configureBuilder: builder => AnalyticsTestHost.UseWebRoot(builder, root.File("wwwroot")),
            beforeAnalytics: app => app.UseStaticFiles());

        Assert.Equal("body{}", await host.Client.GetStringAsync("/css/site.css"));
        Assert.Equal("api", await host.Client.GetStringAsync("/api"));

        var rows = await host.RecordedAsync();
        Assert.Equal("(static) /css/*", Assert.Single(rows, r => r.Path == "/css/site.css").Route);
        Assert.Equal(6, Assert.Single(rows, r => r.Path == "/css/site.css").ResponseBytes);
        Assert.Equal("/api", Assert.Single(rows, r => r.Path == "/api").Route);
    }

    [Fact]
    public async Task AChunkedRequestBodyIsCountedWhetherTheAppReadsTheStreamOrThePipe()
    {
        await using var host = await AnalyticsTestHost.StartAsync(app =>
        {
            app.MapPost("/json", (Todo todo) => Results.Ok(todo.Title.Length));
            app.MapPost("/stream", async (HttpRequest request) => (await new StreamReader(request.Body).ReadToEndAsync()).Length);
            app.MapPost("/pipe", async (HttpRequest request) =>
            {
                long length = 0;
                while (true)
                {
                    var read = await request.BodyReader.ReadAsync();
                    length += read.Buffer.Length;
                    request.BodyReader.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted)
                    {
                        return length;
                    }
                }
            });
        });

        // JsonContent, as PostAsJsonAsync sends it: chunked, no Content-Length.
        using var json = JsonContent.Create(new Todo("a title long enough to matter"));
        var jsonLength = (await json.ReadAsByteArrayAsync()).Length;
        (await host.Client.PostAsync("/json", JsonContent.Create(new Todo("a title long enough to matter")))).EnsureSuccessStatusCode();
        var text = new string('x', 70_000);
        (await host.Client.PostAsync("/stream", new Chunked(text))).EnsureSuccessStatusCode();
        (await host.Client.PostAsync("/pipe", new Chunked(text))).EnsureSuccessStatusCode();
        (await host.Client.PostAsync("/stream", new StringContent("with a length"))).EnsureSuccessStatusCode();

        var rows = await host.RecordedAsync();
        Assert.Equal(jsonLength, Assert.Single(rows, r => r.Path == "/json").RequestBytes);
        Assert.Equal([13, 70_000], rows.Where(r => r.Path == "/stream").Select(r => r.RequestBytes).Order());
        Assert.Equal(70_000, Assert.Single(rows, r => r.Path == "/pipe").RequestBytes);
    }

    [Fact]
    public async Task PathBaseAndExcludedPathsAreJudgedWhereTheAppPlacedAnalytics()
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet("/health", () => "ok");
                app.MapGet("/items/{id}", (string id) => id);
            },
            beforeAnalytics: app => app.UsePathBase("/shop"));

        Assert.Equal("ok", await host.Client.GetStringAsync("/shop/health"));
        Assert.Equal("7", await host.Client.GetStringAsync("/shop/items/7"));

        var row = Assert.Single(await host.RecordedAsync());
        Assert.Equal("/shop/items/7", row.Path);
        Assert.Equal("/items/{id}", row.Route);
    }

    [Fact]
    public async Task AnAppThatNeverCallsUseRequestAnalyticsRecordsNothing()
    {
        using var directory = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory.Path });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddRequestAnalytics().UseSqlite(directory.File("analytics.db"));
        await using var app = builder.Build();
        app.MapGet("/hello", () => "hello");
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        Assert.Equal("hello", await client.GetStringAsync("/hello"));

        var pipeline = app.Services.GetRequiredService<IAnalyticsPipeline>();
        await pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(0, pipeline.Accepted);
        await app.StopAsync();
    }


    private sealed record Todo(string Title);

    /// <summary>A body sent chunked: no Content-Length.</summary>
    private sealed class Chunked(string text) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
