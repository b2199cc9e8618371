using System.Text;
using Microsoft.AspNetCore.Http;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// The <c>&lt;link rel="preload" as="fetch"&gt;</c> hints the page's head carries for the first API call of every panel,
/// so the browser starts them with the HTML instead of after its scripts have loaded and run. The URLs must be exactly
/// those <c>dashboard.js</c> builds from the same page URL (<c>readState</c>, <c>apiQuery</c>, <c>heatmapFor</c>): a
/// preload is reused only by a <c>fetch</c> of the same URL, so a mismatch costs a second request, never a wrong number.
/// </summary>
internal static class DashboardPreload
{
    /// <summary>Past this much query string the page carries no hints: they repeat it sixteen times.</summary>
    internal const int MaxQueryLength = 2_048;

    private static readonly string[] Filters = ["route", "method", "status", "environment", "instance", "consumer"];
    private static readonly string[] Compares = ["previous-period", "previous-release"];

    /// <summary>As <c>CONSUMERS</c> in dashboard.js: the rows of the top-consumers panel.</summary>
    private const string ConsumerLimit = "10";
    private static readonly string[] ShortRanges = ["15m", "1h", "6h", "24h"];

    /// <summary>Gets the API paths, relative to <c>api/</c>, that the page requests first for this page query.</summary>
    public static IReadOnlyList<string> FirstCalls(IQueryCollection query)
    {
        var state = State.Read(query);
        var heatmap = ShortRanges.Contains(state.Range) ? state with { Range = "7d" } : state;
        var health = state with { Route = "", Method = "", Status = "", Environment = "", Consumer = "" };
        var releases = state with { Route = "", Method = "", Status = "", Consumer = "" };
        (string, string)[] compare = state.Compare.Length > 0 ? [("compare", state.Compare)] : [];

        // Reads with no consumer dimension refuse consumer=: with one, the page does not ask them.
        bool all = state.Consumer.Length == 0;
        var calls = new List<string>
        {
            "overview?" + state.ApiQuery(compare),
            "timeseries?" + state.ApiQuery(),
            "routes?" + state.ApiQuery([("limit", "50"), .. compare]),
            "status-codes?" + state.ApiQuery(),
        };
        calls.AddRange(all ? ["errors?" + state.ApiQuery()] : []);
        calls.Add("heatmap?" + heatmap.ApiQuery());
        calls.AddRange(all ? ["events?" + state.ApiQuery(), "health-metrics?" + health.ApiQuery()] : []);
        calls.Add("consumers?" + state.ApiQuery([("limit", ConsumerLimit), .. compare]));
        calls.Add("releases?" + releases.ApiQuery());
        calls.Add("endpoints");

        // The access panel's refusals, each status in the filters' place as access.js sets it (the consumer kept, no
        // comparison).
        calls.Add("routes?" + (state with { Status = "401" }).ApiQuery(("limit", "1000")));
        calls.Add("routes?" + (state with { Status = "403" }).ApiQuery(("limit", "1000")));
        calls.Add("routes?" + (state with { Status = "429" }).ApiQuery(("limit", "1000")));

        // The objectives (servicelevels.js path: their own windows, so only the environment and instance) and uptime (the
        // range and instance, as process health), asked whatever the consumer.
        calls.Add(state.ObjectivesQuery() is { Length: > 0 } objectives ? "slos?" + objectives : "slos");
        calls.Add("uptime?" + health.ApiQuery());
        return calls;
    }

    /// <summary>Renders the hints for the page's head, or nothing when the query string is too long to repeat.</summary>
    public static string Links(HttpRequest request)
    {
        if (request.QueryString.HasValue && request.QueryString.Value!.Length > MaxQueryLength)
        {
            return "";
        }

        var html = new StringBuilder();
        foreach (var call in FirstCalls(request.Query))
        {
            // crossorigin="anonymous" is what fetch()'s defaults (mode cors, same-origin credentials) need to match.
            html.Append("<link rel=\"preload\" as=\"fetch\" crossorigin=\"anonymous\" href=\"api/")
                .Append(call.Replace("&", "&amp;", StringComparison.Ordinal))
                .Append("\">\n");
        }

        return html.ToString();
    }

    /// <summary>
    /// Encodes as <c>URLSearchParams.toString()</c> does (application/x-www-form-urlencoded): ASCII letters, digits and
    /// <c>*-._</c> kept, space as <c>+</c>, every other UTF-8 byte as <c>%XX</c>.
    /// </summary>
    internal static string FormEncode(string value)
    {
        var encoded = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'*' or (byte)'-' or (byte)'.' or (byte)'_')
            {
                encoded.Append((char)b);
            }
            else if (b == (byte)' ')
            {
                encoded.Append('+');
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    /// <summary>The page's state as <c>readState</c> reads it from the page URL.</summary>
    private sealed record State(
        string Range, string From, string To, string Route, string Method, string Status, string Environment, string Instance, string Consumer,
        string Compare)
    {
        public static State Read(IQueryCollection query)
        {
            string Get(string name) => query[name] is { Count: > 0 } values ? values[0] ?? "" : "";
            string from = Get("from");
            string range = from.Length > 0 ? "custom" : Get("range") is { Length: > 0 } given ? given : "24h";
            string compare = Compares.Contains(Get("compare")) ? Get("compare") : "";
            return new State(
                range, from, Get("to"), Get("route"), Get("method"), Get("status"), Get("environment"), Get("instance"), Get("consumer"), compare);
        }

        /// <summary>As servicelevels.js <c>path</c>: the environment and instance when set, nothing else.</summary>
        public string ObjectivesQuery()
        {
            var pairs = new List<string>(2);
            if (Environment.Length > 0)
            {
                pairs.Add("environment=" + FormEncode(Environment));
            }

            if (Instance.Length > 0)
            {
                pairs.Add("instance=" + FormEncode(Instance));
            }

            return string.Join('&', pairs);
        }

        /// <summary>As <c>apiQuery</c>: the range (or from/to), the filters that are set, then the extras.</summary>
        public string ApiQuery(params (string Name, string Value)[] extra)
        {
            var pairs = new List<(string Name, string Value)>();
            if (Range == "custom" && From.Length > 0)
            {
                pairs.Add(("from", From));
                if (To.Length > 0)
                {
                    pairs.Add(("to", To));
                }
            }
            else
            {
                pairs.Add(("range", Range == "custom" ? "24h" : Range));
            }

            string[] values = [Route, Method, Status, Environment, Instance, Consumer];
            for (int i = 0; i < Filters.Length; i++)
            {
                if (values[i].Length > 0)
                {
                    pairs.Add((Filters[i], values[i]));
                }
            }

            pairs.AddRange(extra);
            return string.Join('&', pairs.Select(p => FormEncode(p.Name) + "=" + FormEncode(p.Value)));
        }
    }
}
