using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Analytics.AspNetCore.Tests.Endpoints.Api;

/// <summary>
/// The Grafana dashboard in <c>docs/grafana</c>: every PromQL query of its panels and variables reads a metric that
/// <c>GET {prefix}/metrics</c> really exposes, so renaming a metric cannot silently leave a panel empty.
/// </summary>
public sealed partial class GrafanaDashboardTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryQueryOfTheDashboardReadsAMetricTheEndpointExposes()
    {
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(DashboardPath()));
        var root = dashboard.RootElement;
        Assert.False(string.IsNullOrWhiteSpace(Text(root, "title")), "The dashboard has no title.");
        Assert.False(string.IsNullOrWhiteSpace(Text(root, "uid")), "The dashboard has no uid.");
        var panels = Panels(root).Where(static panel => Text(panel, "type") != "row").ToList();
        Assert.True(panels.Count >= 6, $"The dashboard has {panels.Count} panels besides rows; expected at least 6.");

        var exprs = panels.SelectMany(static panel => Items(panel, "targets")).Select(static target => Text(target, "expr"));
        var variableQueries = Items(Child(root, "templating"), "list")
            .Where(static variable => Text(variable, "type") == "query")
            .SelectMany(static variable => new[] { Text(variable, "definition"), Text(variable, "query") ?? Text(Child(variable, "query"), "query") });
        var queries = exprs.Concat(variableQueries).OfType<string>().Where(static query => query.Length > 0).Distinct().ToList();
        Assert.True(queries.Count > 0, "The dashboard has no PromQL query: nothing to check.");

        var exposed = await ExposedMetricNamesAsync();
        var withoutMetric = queries.Where(static query => ReferencedMetrics(query).Count == 0).ToList();
        Assert.True(withoutMetric.Count == 0, $"These queries reference no analytics_ metric:\n{string.Join('\n', withoutMetric)}");
        var missing = queries
            .SelectMany(query => ReferencedMetrics(query).Where(name => !exposed.Contains(name)).Select(name => $"{name} (in {query})"))
            .ToList();
        Assert.True(missing.Count == 0, $"The dashboard queries metrics GET /analytics/metrics does not expose:\n{string.Join('\n', missing)}");
    }

    [Theory]
    [InlineData("sum(rate(analytics_http_requests_total{status=~\"5..\"}[5m]))", "analytics_http_requests_total")]
    [InlineData("histogram_quantile(0.95, sum by (le) (rate(analytics_http_request_duration_seconds_bucket[5m])))", "analytics_http_request_duration_seconds_bucket")]
    [InlineData("sum(rate(analytics_http_request_duration_seconds_sum[5m])) / sum(rate(analytics_http_request_duration_seconds_count[5m]))", "analytics_http_request_duration_seconds_count analytics_http_request_duration_seconds_sum")]
    [InlineData("sum by (name) (rate(analytics_events_total{name=\"analytics_not_a_metric\", instance=~\"$instance\"}[$__rate_interval]))", "analytics_events_total")]
    [InlineData("label_values(analytics_http_requests_total{instance=~\"$instance\"}, route)", "analytics_http_requests_total")]
    [InlineData("sum(rate(http_requests_total[5m])) or vector(0)", "")]
    public void TheExtractorFindsTheAnalyticsMetricsAQueryReads(string promql, string expected)
    {
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), ReferencedMetrics(promql).Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>The <c>analytics_</c> metric names in a PromQL expression: its identifiers, string literals left out.</summary>
    private static HashSet<string> ReferencedMetrics(string promql) =>
        Identifier().Matches(StringLiteral().Replace(promql, "\"\""))
            .Select(static match => match.Value)
            .Where(static name => name.StartsWith("analytics_", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The series names a scrape holds after some traffic: each family's name, or a histogram's three series.</summary>
    private static async Task<HashSet<string>> ExposedMetricNamesAsync()
    {
        await using var host = await EndpointTestApp.StartAsync();
        foreach (var path in new[] { "/items/1", "/items/2", "/fail", "/status/503" })
        {
            (await host.Client.GetAsync(path)).Dispose();
        }

        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
        using var response = await host.Client.GetAsync("/analytics/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' '); // # TYPE name kind
                string[] family = parts[3] == "histogram" ? [parts[2] + "_bucket", parts[2] + "_sum", parts[2] + "_count"] : [parts[2]];
                names.UnionWith(family);
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                names.Add(line[..line.IndexOfAny(['{', ' '])]);
            }
        }

        return names;
    }

    /// <summary>Finds <c>docs/grafana/analytics-dashboard.json</c> beside <c>Analytics.sln</c>, above the test's output folder.</summary>
    private static string DashboardPath()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Analytics.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"No folder above {AppContext.BaseDirectory} holds Analytics.sln, so the Grafana dashboard cannot be found.");
        var path = Path.Combine(root.FullName, "docs", "grafana", "analytics-dashboard.json");
        Assert.True(File.Exists(path), $"The Grafana dashboard is missing: {path}");
        return path;
    }

    /// <summary>Every panel, including those nested in rows.</summary>
    private static IEnumerable<JsonElement> Panels(JsonElement parent) =>
        Items(parent, "panels").SelectMany(static panel => Panels(panel).Prepend(panel));

    private static JsonElement Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) ? child : default;

    private static string? Text(JsonElement element, string name) =>
        Child(element, name) is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;

    private static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        Child(element, name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : Enumerable.Empty<JsonElement>();

    [GeneratedRegex("[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();
}
