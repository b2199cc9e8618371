using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Analytics.Webhooks;

/// <summary>
/// Makes the links chat messages carry to the dashboard view of a route and window: <c>{DashboardUrl}?route=…&amp;method=…&amp;from=…&amp;to=…</c>,
/// the query the dashboard reads its state from. With <see cref="RequestAnalyticsOptions.DashboardUrl"/> unset, the link is
/// the path <c>MapRequestAnalytics</c> mapped the dashboard at, relative: the host's own address (and any path base) is not
/// known outside a request, and a guessed host would be wrong behind a proxy.
/// </summary>
internal sealed class DashboardLinks
{
    private readonly string? _absolute;
    private volatile string? _mappedPath;

    public DashboardLinks(IOptions<RequestAnalyticsOptions> options)
    {
        if (options.Value.DashboardUrl is { IsAbsoluteUri: true } url)
        {
            // The page is served at the group's path with a trailing slash; without it the dashboard first redirects.
            var text = url.GetLeftPart(UriPartial.Path);
            _absolute = text.EndsWith('/') ? text : text + "/";
        }
    }

    /// <summary>Gets whether links are absolute (clickable in Slack, and allowed as Teams and Discord link targets).</summary>
    public bool Absolute => _absolute is not null;

    /// <summary>
    /// Records the prefix the dashboard was mapped at; the first mapping wins. Called by <c>MapRequestAnalytics</c>.
    /// </summary>
    public void Mapped(string prefix)
    {
        var path = "/" + prefix.Trim('/');
        Interlocked.CompareExchange(ref _mappedPath, path.Length == 1 ? "/" : path + "/", null);
    }

    /// <summary>
    /// The link to the dashboard filtered to <paramref name="route"/> and <paramref name="method"/> over
    /// [<paramref name="from"/>, <paramref name="to"/>); <see langword="null"/> when there is nowhere to link to (no
    /// <see cref="RequestAnalyticsOptions.DashboardUrl"/> and no dashboard mapped).
    /// </summary>
    public string? For(string? route = null, string? method = null, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        if ((_absolute ?? _mappedPath) is not { } link)
        {
            return null;
        }

        var query = new StringBuilder();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        Add("route", route);
        Add("method", method);
        Add("from", from?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        Add("to", to?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        return link + query;
    }
}
