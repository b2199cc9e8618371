using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// <c>GET {prefix}/</c> and its assets, embedded in the assembly. The page links its assets by relative URL with a
/// content hash (<c>assets/dashboard.js?v=…</c>), so it works under any prefix and path base, and a versioned asset can
/// be cached for a year while the page itself is revalidated. A strict Content-Security-Policy allows only this origin's
/// scripts, styles and API calls: no inline script, nothing from elsewhere.
/// </summary>
internal static class Dashboard
{
    internal const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string PreloadPlaceholder = "{{preload}}";
    private const string BundleName = "dashboard.bundle.js";
    private static readonly string[] BundleOrder =
    [
        "format.js", "charts.js", "table.js", "compare.js", "consumers.js", "releases.js", "errors.js", "health.js", "playground.js",
        "access.js", "alerts.js", "servicelevels.js", "uptime.js", "dashboard.js",
    ];

    private static readonly FrozenDictionary<string, EmbeddedAsset> Assets = LoadAssets();
    private static readonly (byte[] Head, byte[] Tail) Page = RenderPage();

    public static Task<IResult> Index(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!request.Path.HasValue || !request.Path.Value.EndsWith('/'))
        {
            // The page's relative asset and API URLs need the trailing slash: /analytics → /analytics/
            return Task.FromResult<IResult>(TypedResults.Redirect($"{request.PathBase}{request.Path}/{request.QueryString}"));
        }

        SecurityHeaders(context.Response);
        context.Response.Headers.CacheControl = "no-cache";

        // The head names the first API calls for this page URL, so the browser starts them with the HTML.
        var links = Encoding.UTF8.GetBytes(DashboardPreload.Links(request));
        var page = new byte[Page.Head.Length + links.Length + Page.Tail.Length];
        Page.Head.CopyTo(page, 0);
        links.CopyTo(page, Page.Head.Length);
        Page.Tail.CopyTo(page, Page.Head.Length + links.Length);
        return Task.FromResult<IResult>(TypedResults.Bytes(page, "text/html; charset=utf-8"));
    }

    public static Task<IResult> Asset(HttpContext context, string name)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return Task.FromResult<IResult>(AnalyticsProblem.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dashboard asset"));
        }

        var response = context.Response;
        SecurityHeaders(response);

        // Brotli, compressed once at startup, for every client that takes it; each encoding has its own ETag.
        bool brotli = asset.Brotli is not null && AcceptsBrotli(context.Request);
        var etag = brotli ? asset.BrotliETag : asset.ETag;
        response.Headers.ETag = etag;
        response.Headers.Vary = HeaderNames.AcceptEncoding;

        // The page links assets with ?v=<hash>: such a URL never changes meaning, anything else is revalidated.
        response.Headers.CacheControl = context.Request.Query["v"] == asset.Hash ? "public, max-age=31536000, immutable" : "no-cache";
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            return Task.FromResult<IResult>(TypedResults.StatusCode(StatusCodes.Status304NotModified));
        }

        if (brotli)
        {
            response.Headers.ContentEncoding = "br";
            return Task.FromResult<IResult>(TypedResults.Bytes(asset.Brotli!, asset.ContentType));
        }

        return Task.FromResult<IResult>(TypedResults.Bytes(asset.Content, asset.ContentType));
    }

    private static bool AcceptsBrotli(HttpRequest request)
    {
        foreach (var encoding in request.GetTypedHeaders().AcceptEncoding)
        {
            if (encoding.Value.Equals("br", StringComparison.OrdinalIgnoreCase) && encoding.Quality is not 0)
            {
                return true;
            }
        }

        return false;
    }

    private static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static FrozenDictionary<string, EmbeddedAsset> LoadAssets()
    {
        var assembly = typeof(Dashboard).Assembly;
        var assets = new Dictionary<string, EmbeddedAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            const string Prefix = "Dashboard/";
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal) || resource.EndsWith(".html", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[Prefix.Length..];
            assets[name] = Embed(name, Read(resource));
        }

        assets[BundleName] = Embed(BundleName, Bundle(assets));
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// The scripts in the order they need each other, joined into the one file the page links: one request instead of
    /// six, which matters on a first load where the browser opens six connections and the API calls need them. Each file
    /// is its own function scope, so joining them changes nothing else.
    /// </summary>
    private static byte[] Bundle(Dictionary<string, EmbeddedAsset> assets)
    {
        var scripts = assets.Keys.Where(name => name.EndsWith(".js", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        if (!scripts.SetEquals(BundleOrder))
        {
            throw new InvalidOperationException(
                $"The dashboard's scripts ({string.Join(", ", scripts.Order())}) are not those the bundle orders " +
                $"({string.Join(", ", BundleOrder)}).");
        }

        using var bundle = new MemoryStream();
        foreach (var name in BundleOrder)
        {
            bundle.Write(assets[name].Content);
            bundle.Write(";\n"u8);
        }

        return bundle.ToArray();
    }

    private static EmbeddedAsset Embed(string name, byte[] content)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content))[..16];
        var contentType = Path.GetExtension(name) switch
        {
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => "application/octet-stream",
        };
        return new EmbeddedAsset(content, contentType, hash, $"\"{hash}\"", Compress(content), $"\"{hash}-br\"");
    }

    /// <summary>The asset in Brotli, or <see langword="null"/> when that would not be smaller.</summary>
    private static byte[]? Compress(byte[] content)
    {
        var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(content.Length)];
        return BrotliEncoder.TryCompress(content, compressed, out int written, quality: 9, window: 22) && written < content.Length
            ? compressed[..written]
            : null;
    }

    /// <summary>
    /// The page with each <c>{{asset}}</c> placeholder replaced by that asset's hash, split where the per-request
    /// preload hints go.
    /// </summary>
    private static (byte[] Head, byte[] Tail) RenderPage()
    {
        var html = Encoding.UTF8.GetString(Read("Dashboard/index.html"));
        foreach (var (name, asset) in Assets)
        {
            html = html.Replace("{{" + name + "}}", asset.Hash, StringComparison.Ordinal);
        }

        int split = html.IndexOf(PreloadPlaceholder, StringComparison.Ordinal);
        if (split < 0)
        {
            throw new InvalidOperationException($"The dashboard page has no {PreloadPlaceholder} placeholder.");
        }

        return (Encoding.UTF8.GetBytes(html[..split]), Encoding.UTF8.GetBytes(html[(split + PreloadPlaceholder.Length)..]));
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The dashboard resource '{resource}' is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed record EmbeddedAsset(byte[] Content, string ContentType, string Hash, string ETag, byte[]? Brotli, string BrotliETag);
}
