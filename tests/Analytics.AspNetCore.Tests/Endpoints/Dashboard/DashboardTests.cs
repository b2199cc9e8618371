using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Analytics.AspNetCore.Tests.Endpoints.Dashboard;

/// <summary>How the dashboard is served: embedded assets, a strict CSP, caching, and relative URLs under any prefix and path base.</summary>
public partial class DashboardTests
{
    [Fact]
    public async Task ThePageIsServedWithAStrictContentSecurityPolicyAndNoInlineScript()
    {
        await using var host = await EndpointTestApp.StartAsync();

        using var response = await host.Client.GetAsync("/analytics/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("connect-src 'self'", csp);
        Assert.DoesNotContain("unsafe", csp);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)", html); // every script is a file
        Assert.DoesNotMatch(@"\sstyle=", html);
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html); // nothing from another origin
        Assert.DoesNotContain("{{", html);
    }

    [Fact]
    public async Task EveryLinkedAssetIsEmbeddedVersionedAndCachedForAYear()
    {
        await using var host = await EndpointTestApp.StartAsync();
        var html = await host.Client.GetStringAsync("/analytics/");
        var links = AssetLink().Matches(html).Select(m => m.Groups["url"].Value).ToArray();
        Assert.Equal(2, links.Length); // the stylesheet and the scripts' bundle

        foreach (var link in links)
        {
            using var response = await host.Client.GetAsync("/analytics/" + link);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(link.Contains(".css", StringComparison.Ordinal) ? "text/css" : "text/javascript", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
            Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());

            // Without the version, the same asset is revalidated; its ETag then answers 304.
            var unversioned = link[..link.IndexOf('?', StringComparison.Ordinal)];
            using var again = new HttpRequestMessage(HttpMethod.Get, "/analytics/" + unversioned);
            again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
            using var notModified = await host.Client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.True(notModified.Headers.CacheControl?.NoCache);
        }
    }

    [Fact]
    public async Task TheBundleIsEveryScriptInDependencyOrder()
    {
        await using var host = await EndpointTestApp.StartAsync();
        var html = await host.Client.GetStringAsync("/analytics/");
        var bundleLink = Assert.Single(AssetLink().Matches(html), m => m.Groups["url"].Value.Contains(".js", StringComparison.Ordinal)).Groups["url"].Value;
        var bundle = await host.Client.GetStringAsync("/analytics/" + bundleLink);

        string[] order =
        [
            "format.js", "charts.js", "table.js", "errors.js", "health.js", "playground.js", "access.js", "alerts.js", "servicelevels.js", "uptime.js",
            "dashboard.js",
        ];
        int position = 0;
        foreach (var name in order)
        {
            // Each source file is still served on its own, and appears whole in the bundle after the ones it needs.
            var source = await host.Client.GetStringAsync("/analytics/assets/" + name);
            int at = bundle.IndexOf(source, position, StringComparison.Ordinal);
            Assert.True(at >= position, $"{name} is not in the bundle after the files before it");
            position = at + source.Length;
        }
    }

    [Theory]
    [InlineData("br", true)]
    [InlineData("gzip, deflate, br, zstd", true)]
    [InlineData("gzip", false)]
    [InlineData("br;q=0", false)]
    [InlineData("", false)]
    [InlineData("br;q=nonsense,,;", false)]
    public async Task AssetsAreSentInBrotliToClientsThatTakeIt(string acceptEncoding, bool brotli)
    {
        await using var host = await EndpointTestApp.StartAsync();
        var html = await host.Client.GetStringAsync("/analytics/");
        var link = AssetLink().Matches(html).Select(m => m.Groups["url"].Value).Single(u => u.Contains(".js", StringComparison.Ordinal));
        var identity = await host.Client.GetByteArrayAsync("/analytics/" + link);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/analytics/" + link);
        if (acceptEncoding.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        using var response = await host.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        if (brotli)
        {
            Assert.Equal("br", Assert.Single(response.Content.Headers.ContentEncoding));
            Assert.True(body.Length < identity.Length / 2, $"{body.Length} bytes compressed from {identity.Length}");
            using var decompressed = new MemoryStream();
            await using (var stream = new System.IO.Compression.BrotliStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress))
            {
                await stream.CopyToAsync(decompressed);
            }

            Assert.Equal(identity, decompressed.ToArray());
        }
        else
        {
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.Equal(identity, body);
        }

        // Each encoding revalidates against its own ETag.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/analytics/" + link);
        again.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await host.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("/analytics/assets/nope.js")]
    [InlineData("/analytics/assets/..%2Fdashboard.js")]
    [InlineData("/analytics/assets/index.html")]
    public async Task AnUnknownAssetIsA404(string path)
    {
        await using var host = await EndpointTestApp.StartAsync();
        using var response = await host.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ThePrefixWithoutItsSlashRedirectsSoRelativeUrlsResolve()
    {
        await using var host = await EndpointTestApp.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Client.BaseAddress };

        using var response = await client.GetAsync("/analytics?range=7d");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/analytics/?range=7d", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ItWorksUnderAPathBaseAndAnyPrefix()
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            app => app.MapRequestAnalytics("/ops/stats"),
            beforeAnalytics: app =>
            {
                app.UsePathBase("/base");
                app.UseRouting();
            });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Client.BaseAddress };

        using var redirect = await client.GetAsync("/base/ops/stats");
        Assert.Equal("/base/ops/stats/", redirect.Headers.Location?.OriginalString);

        var page = new Uri(host.Client.BaseAddress!, "/base/ops/stats/");
        var html = await client.GetStringAsync(page);
        foreach (Match link in AssetLink().Matches(html))
        {
            using var asset = await client.GetAsync(new Uri(page, link.Groups["url"].Value));
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        }

        // The page's API base, new URL('api/', document.baseURI), resolves under the same prefix.
        using var overview = await client.GetAsync(new Uri(page, "api/overview"));
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
    }

    [Fact]
    public async Task ThePageIsLockedDownLikeTheApi()
    {
        await using var host = await EndpointTestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/analytics/");
        request.Headers.Add(EndpointTestApp.RemoteHeader, "203.0.113.5");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [GeneratedRegex(@"(?:src|href)=""(?<url>assets/[^""]+)""")]
    private static partial Regex AssetLink();
}
