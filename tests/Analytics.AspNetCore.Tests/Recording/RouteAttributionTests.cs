using System.Net;
using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Recording;

/// <summary>The route a request is grouped under stays bounded and says which part of the app answered.</summary>
public class RouteAttributionTests
{
    [Fact]
    public async Task StaticAssetsAreGroupedByTopFolderHoweverManyFilesThereAre()
    {
        await using var host = await AnalyticsTestHost.StartAsync(app =>
        {
            // What MapStaticAssets builds: one endpoint per file (and per fingerprinted copy), each with its descriptor.
            foreach (var file in Enumerable.Range(0, 40).Select(i => $"css/site{i}.css").Concat(["js/app.js", "js/app.k3x9.js", "favicon.png"]))
            {
                app.MapGet(file, () => "asset").WithMetadata(new StaticAssetDescriptor { Route = file, AssetPath = file });
            }
        });

        foreach (var path in new[] { "/css/site0.css", "/css/site39.css", "/js/app.js", "/js/app.k3x9.js", "/favicon.png" })
        {
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync(path)).StatusCode);
        }

        var rows = await host.RecordedAsync();
        Assert.Equal(
            ["(static) /*", "(static) /css/*", "(static) /css/*", "(static) /js/*", "(static) /js/*"],
            rows.Select(r => r.Route).Order(StringComparer.Ordinal));
        Assert.Contains(rows, r => r.Path == "/css/site39.css");
    }

    [Fact]
    public async Task FilesTheStaticFilesMiddlewareSendsAreGroupedByTopFolderAndTheRestStaysUnmatched()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.File("wwwroot/css"));
        await File.WriteAllTextAsync(root.File("wwwroot/css/site.css"), "body{}");
        await File.WriteAllTextAsync(root.File("wwwroot/robots.txt"), "User-agent: *");
        await using var host = await AnalyticsTestHost.StartAsync(
            _ => { },
            configureBuilder: builder => AnalyticsTestHost.UseWebRoot(builder, root.File("wwwroot")),
            afterAnalytics: app => app.UseStaticFiles());

        Assert.Equal("body{}", await host.Client.GetStringAsync("/css/site.css"));
        Assert.Equal("User-agent: *", await host.Client.GetStringAsync("/robots.txt"));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/css/missing.css")).StatusCode);

        var rows = await host.RecordedAsync();
        Assert.Equal("(static) /css/*", Assert.Single(rows, r => r.Path == "/css/site.css").Route);
        Assert.Equal("(static) /*", Assert.Single(rows, r => r.Path == "/robots.txt").Route);
        Assert.Equal(6, Assert.Single(rows, r => r.Path == "/css/site.css").ResponseBytes);
        Assert.Equal(RequestAnalyticsDefaults.UnmatchedRoute, Assert.Single(rows, r => r.Path == "/css/missing.css").Route);
    }

    [Fact]
    public async Task AnSpaFallbackKeepsTheClientsPathAndTheFallbackRoute()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.File("wwwroot"));
        await File.WriteAllTextAsync(root.File("wwwroot/index.html"), "<html></html>");
        await using var host = await AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet("/api/ping", () => "pong");
                app.MapFallbackToFile("index.html");
            },
            configureBuilder: builder => AnalyticsTestHost.UseWebRoot(builder, root.File("wwwroot")));

        Assert.Equal("<html></html>", await host.Client.GetStringAsync("/orders/42"));
        Assert.Equal("<html></html>", await host.Client.GetStringAsync("/settings/profile"));

        var rows = await host.RecordedAsync();
        Assert.Equal(["/orders/42", "/settings/profile"], rows.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal("{*path:nonfile}", r.Route));
    }

    [Fact]
    public async Task ConventionalMvcRoutesAreAttributedPerControllerAndAction()
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.MapControllerRoute("default", "{controller=Home}/{action=Index}/{id?}"),
            configureBuilder: builder => builder.Services.AddControllers().AddApplicationPart(typeof(HomeController).Assembly));

        Assert.Equal("index", await host.Client.GetStringAsync("/"));
        Assert.Equal("index", await host.Client.GetStringAsync("/home/index"));
        Assert.Equal("details 7", await host.Client.GetStringAsync("/Home/Details/7"));
        Assert.Equal("details ", await host.Client.GetStringAsync("/Home/Details"));

        var rows = await host.RecordedAsync();
        Assert.Equal("Home/Index/{id?}", Assert.Single(rows, r => r.Path == "/").Route);
        Assert.Equal("Home/Index/{id?}", Assert.Single(rows, r => r.Path == "/home/index").Route);
        Assert.Equal("Home/Details/{id?}", Assert.Single(rows, r => r.Path == "/Home/Details/7").Route);
        Assert.Equal("Home/Details/{id?}", Assert.Single(rows, r => r.Path == "/Home/Details").Route);
    }

    [Fact]
    public async Task AttributeRoutedActionsKeepTheirTemplate()
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.MapControllers(),
            configureBuilder: builder => builder.Services.AddControllers().AddApplicationPart(typeof(HomeController).Assembly));

        Assert.Equal("order 5", await host.Client.GetStringAsync("/orders/5"));

        Assert.EndsWith("orders/{id:int}", Assert.Single(await host.RecordedAsync()).Route);
    }

    [Fact]
    public async Task AFailedGrpcCallIsRecordedWithItsMappedStatusAndServerFaultsAsErrors()
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            app =>
            {
                // What Grpc.AspNetCore answers: HTTP 200, the call's status in the trailers, or in the headers of a
                // response that is only trailers.
                app.MapPost("/greet.Greeter/SayHello", async (HttpContext context) =>
                {
                    var code = context.Request.Headers["x-code"].ToString();
                    context.Response.ContentType = "application/grpc";
                    if (context.Request.Headers.ContainsKey("x-trailers-only"))
                    {
                        context.Response.Headers["grpc-status"] = code;
                        context.Response.Headers["grpc-message"] = "Not%20here";
                        return;
                    }

                    await context.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 0, 0 });
                    context.Response.AppendTrailer("grpc-status", code);
                    if (code != "0")
                    {
                        context.Response.AppendTrailer("grpc-message", "Exception was thrown by handler. InvalidOperationException: boom");
                    }
                });
            },
            configureBuilder: builder => builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2)));
        using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };

        async Task CallAsync(string code, bool trailersOnly = false)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/greet.Greeter/SayHello")
            {
                Content = new ByteArrayContent([0, 0, 0, 0, 0]),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Content.Headers.ContentType = new("application/grpc");
            request.Headers.Add("x-code", code);
            if (trailersOnly)
            {
                request.Headers.Add("x-trailers-only", "1");
            }

            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsByteArrayAsync();
        }

        await CallAsync("0");
        await CallAsync("5", trailersOnly: true); // NotFound
        await CallAsync("2");                     // Unknown: an exception in the service method
        await CallAsync("14");                    // Unavailable

        var rows = (await host.RecordedAsync()).OrderBy(r => r.Timestamp).ToList();
        Assert.All(rows, r => Assert.Equal(RequestKind.Grpc, r.Kind));
        Assert.Equal([200, 404, 500, 503], rows.Select(r => r.StatusCode));
        Assert.Equal([null, null, "gRPC Unknown", "gRPC Unavailable"], rows.Select(r => r.ExceptionType));
        Assert.Equal("Exception was thrown by handler. InvalidOperationException: boom", rows[2].ExceptionMessage);

        var overview = await host.App.Services.GetRequiredService<IAnalyticsQueries>().GetOverviewAsync(
            new AnalyticsQuery { From = DateTimeOffset.UtcNow.AddHours(-1), To = DateTimeOffset.UtcNow.AddMinutes(1) }, default);
        Assert.Equal(4, overview.TotalRequests);
        Assert.Equal(2, overview.ErrorRequests);
    }


}

/// <summary>A controller for the MVC route tests: conventional actions and one attribute-routed action.</summary>
public sealed class HomeController : Controller
{
    public IActionResult Index() => Content("index");

    public IActionResult Details(int? id) => Content($"details {id}");

    [HttpGet("/orders/{id:int}")]
    public IActionResult Order(int id) => Content($"order {id}");
}
