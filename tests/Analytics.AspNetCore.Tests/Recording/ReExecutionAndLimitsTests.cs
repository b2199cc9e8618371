using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Recording;

/// <summary>
/// The pipeline shapes the README recommends around the middleware, the statuses the server itself answers, and text
/// cut to its stored length.
/// </summary>
public sealed class ReExecutionAndLimitsTests
{
    private static void MapApi(WebApplication app)
    {
        app.MapGet("/items/{id:int}", (int id) => id == 13 ? throw new InvalidOperationException("unlucky") : Results.Ok(id));
        app.MapGet("/missing", () => Results.NotFound());
        app.MapGet("/error", () => Results.Problem("handled"));
        app.MapGet("/status/{code:int}", (int code) => Results.Text($"status page {code}"));
        app.MapPost("/upload", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            return Results.Ok(buffer.Length);
        });
    }

    [Fact]
    public async Task WithTheExceptionHandlerAndStatusCodePagesOutsideAFailedRequestIsRecordedOnce()
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            MapApi,
            beforeAnalytics: app =>
            {
                app.UseExceptionHandler("/error"); // re-runs the pipeline, analytics included, for /error
                app.UseStatusCodePagesWithReExecute("/status/{0}"); // the same for 4xx and 5xx without a body
            });

        Assert.Equal(HttpStatusCode.InternalServerError, (await host.Client.GetAsync("/items/13")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/missing")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/items/1")).StatusCode);
        await host.Pipeline.FlushAsync();

        var rows = await StoredRequests.ReadAllAsync(host.DatabasePath);
        Assert.Equal(["/items/1", "/items/13", "/missing"], rows.Select(r => r.Path).Order());
        var failed = Assert.Single(rows, r => r.Path == "/items/13");
        Assert.Equal((500, "System.InvalidOperationException"), (failed.StatusCode, failed.ExceptionType));
        Assert.Equal(404, Assert.Single(rows, r => r.Path == "/missing").StatusCode);
    }

    [Fact]
    public async Task ABodyOverTheServersLimitIsRecordedWithTheStatusTheClientGets()
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            MapApi,
            configureBuilder: b => b.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = 100));
        using var content = new StreamContent(new MemoryStream(new byte[1_000])); // no Content-Length up front: read, then refused
        content.Headers.ContentLength = null;

        var response = await host.Client.PostAsync("/upload", content);
        await host.Pipeline.FlushAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var row = Assert.Single(await StoredRequests.ReadAllAsync(host.DatabasePath));
        Assert.Equal(413, row.StatusCode);
        Assert.EndsWith(".BadHttpRequestException", row.ExceptionType); // Kestrel throws its own subclass
    }

    [Fact]
    public async Task ALongPathOrUserAgentIsCutBeforeASurrogatePairNotInsideIt()
    {
        await using var host = await AnalyticsTestHost.StartAsync(app => app.MapGet("/{**rest}", () => "ok"));
        const string Emoji = "\U0001F600"; // two UTF-16 units
        var path = "/" + new string('a', RequestAnalyticsMiddleware.MaxPathLength - 2) + Emoji; // the pair straddles the limit
        using var request = new HttpRequestMessage(HttpMethod.Get, "/" + new string('a', RequestAnalyticsMiddleware.MaxPathLength - 2) + Uri.EscapeDataString(Emoji));
        request.Headers.TryAddWithoutValidation("User-Agent", new string('b', RequestAnalyticsMiddleware.MaxUserAgentLength - 1) + "c");

        (await host.Client.SendAsync(request)).Dispose();
        await host.Pipeline.FlushAsync();

        var row = Assert.Single(await StoredRequests.ReadAllAsync(host.DatabasePath));
        Assert.Equal(path[..(RequestAnalyticsMiddleware.MaxPathLength - 1)], row.Path); // one unit short: the whole pair left out
        Assert.False(char.IsSurrogate(row.Path[^1]));
        Assert.Equal(RequestAnalyticsMiddleware.MaxUserAgentLength, row.UserAgent!.Length);
    }
}
