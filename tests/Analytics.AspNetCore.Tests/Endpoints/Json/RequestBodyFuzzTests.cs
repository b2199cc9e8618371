using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Analytics.Alerts;
using Analytics.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.AspNetCore.Tests.Endpoints.Json;

/// <summary>
/// Every POST and PUT endpoint of the group, found in the app's endpoints (so that a new one is in without a word
/// here), is thrown <see cref="HostileBodies"/>: none may answer 5xx, each 4xx is a problem, nothing is logged as an
/// error, and nothing is stored.
/// </summary>
public class RequestBodyFuzzTests
{
    // The issue that asked for it; change it to explore, keep it to reproduce.
    private const int Seed = 27;
    private const int VariantsPerEndpoint = 250;
    private const string Key = "ingest-key-0123456789abcdef";
    private const string Fingerprint = "0123456789abcdef";

    [Fact]
    public async Task NoHostileBodyGetsA5xxOrChangesAnything()
    {
        await using var host = await EndpointTestApp.StartAsync(o =>
        {
            o.IngestKeys.Add(Key);
            o.Alerts.Add(new AlertRuleOptions { Id = "declared", Metric = AlertMetric.P95, Threshold = 500, Window = TimeSpan.FromMinutes(5) });
        });
        var webhook = await CreateAsync(host, "/analytics/api/webhooks", """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"]}""");
        var alert = await CreateAsync(host, "/analytics/api/alerts", """{"name":"Errors","metric":"errorRate","threshold":0.1}""");
        var targets = new Dictionary<(string Before, string Parameter), string>
        {
            [("webhooks", "id")] = webhook,
            [("alerts", "id")] = alert,
            [("errors", "fingerprint")] = Fingerprint,
        };
        var endpoints = host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<AnalyticsEndpointMetadata>() is not null)
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Any(m => m is "POST" or "PUT") == true)
            .ToList();
        var before = await StateAsync(host);
        var logged = host.Logs.GetSnapshot().Count;

        var failures = new ConcurrentQueue<string>();
        var uncovered = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? endpoint.RoutePattern.RawText!;
            if (Url(endpoint.RoutePattern, targets) is not { } url)
            {
                uncovered.Add($"{name} ({endpoint.RoutePattern.RawText}): a route parameter this test has no value for; add one to targets");
                continue;
            }

            var method = new HttpMethod(endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.First(m => m is "POST" or "PUT"));
            var body = endpoint.Metadata.OfType<IParameterBindingMetadata>()
                .FirstOrDefault(p => p.ParameterInfo.GetCustomAttributes().OfType<IFromBodyMetadata>().Any());
            var shapes = HostileBodies.Shapes.TryGetValue(name, out var own) ? own : [.. HostileBodies.Shapes.Values.SelectMany(s => s)];
            var corpus = HostileBodies.Fixed(bodyOptional: body?.IsOptional ?? true)
                .Concat(HostileBodies.Variants(Seed, VariantsPerEndpoint, shapes))
                .ToList();
            int parsed = 0;
            await Parallel.ForEachAsync(corpus, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (hostile, cancellationToken) =>
            {
                var (status, contentType, answer) = await SendAsync(host, method, url, hostile, cancellationToken);
                if (status >= 500 || (status >= 400 && contentType != "application/problem+json")
                    || (body is not null && status != hostile.Expected))
                {
                    failures.Enqueue($"{method} {name} answered {status} {contentType} instead of {hostile.Expected} to {hostile}: {answer}");
                }

                if (status == 400 && answer.Contains("\"errors\"", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref parsed);
                }
            });

            // A body that never reached the parser (a 404 for a wrong id, say) would prove nothing.
            if (body is not null && parsed == 0)
            {
                uncovered.Add($"{name}: no hostile body reached its parser");
            }
        }

        Assert.True(uncovered.Count == 0, string.Join('\n', uncovered));
        Assert.True(failures.IsEmpty, $"{failures.Count} failures, the first 20:\n{string.Join('\n', failures.Take(20))}");
        Assert.Equal(before, await StateAsync(host));
        var errors = host.Logs.GetSnapshot().Skip(logged).Where(r => r.Level >= LogLevel.Error || r.Exception is not null).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors.Take(5).Select(r => $"{r.Category} {r.Level}: {r.Message} {r.Exception}")));
        // The endpoints the shapes were written for were found, and so thrown the corpus.
        Assert.Empty(HostileBodies.Shapes.Keys.Except(endpoints.Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName)));
    }

    /// <summary>
    /// The variants are made from these bodies by breaking each in one way; were one of them refused as it is, the
    /// variants would be refused for that, not for what was broken.
    /// </summary>
    [Fact]
    public async Task TheShapesTheVariantsAreMadeFromAreAccepted()
    {
        await using var host = await EndpointTestApp.StartAsync(o => o.IngestKeys.Add(Key));
        var webhook = await CreateAsync(host, "/analytics/api/webhooks", """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test"]}""");
        var alert = await CreateAsync(host, "/analytics/api/alerts", """{"name":"Errors","metric":"errorRate","threshold":0.1}""");
        var urls = new Dictionary<string, (HttpMethod, string)>
        {
            ["PostAnalyticsEvents"] = (HttpMethod.Post, "/analytics/api/events"),
            ["CreateAnalyticsWebhook"] = (HttpMethod.Post, "/analytics/api/webhooks"),
            ["UpdateAnalyticsWebhook"] = (HttpMethod.Put, $"/analytics/api/webhooks/{webhook}"),
            ["AddAnalyticsWebhookSecret"] = (HttpMethod.Post, $"/analytics/api/webhooks/{webhook}/secrets"),
            ["TestAnalyticsWebhook"] = (HttpMethod.Post, $"/analytics/api/webhooks/{webhook}/test"),
            ["CreateAnalyticsAlert"] = (HttpMethod.Post, "/analytics/api/alerts"),
            ["UpdateAnalyticsAlert"] = (HttpMethod.Put, $"/analytics/api/alerts/{alert}"),
        };

        foreach (var (name, shapes) in HostileBodies.Shapes)
        {
            var (method, url) = urls[name];
            foreach (var shape in shapes)
            {
                var (status, _, answer) = await SendAsync(host, method, url, new("valid", Encoding.UTF8.GetBytes(shape), HostileBodies.Json, 0), default);
                Assert.True(status is >= 200 and < 300, $"{name} answered {status} to {shape}: {answer}");
            }
        }
    }

    private static async Task<(int Status, string? ContentType, string Answer)> SendAsync(
        AnalyticsTestHost host, HttpMethod method, string url, HostileBody hostile, CancellationToken cancellationToken)
    {
        HttpContent content = hostile.Chunked ? new UnknownLengthContent(hostile.Body) : new ByteArrayContent(hostile.Body);
        if (hostile.ContentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", hostile.ContentType);
        }

        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Add("X-Analytics-Key", Key);
        using var response = await host.Client.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, answer.Length > 300 ? answer[..300] : answer);
    }

    private static async Task<string> CreateAsync(AnalyticsTestHost host, string url, string json)
    {
        using var response = await host.Client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>The URL of <paramref name="pattern"/> with each parameter filled in, or null when one is not in <paramref name="targets"/>.</summary>
    private static string? Url(RoutePattern pattern, Dictionary<(string Before, string Parameter), string> targets)
    {
        var segments = new List<string>();
        foreach (var segment in pattern.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                if (part is RoutePatternLiteralPart literal)
                {
                    text.Append(literal.Content);
                }
                else if (part is RoutePatternParameterPart parameter && segments.Count > 0
                    && targets.TryGetValue((segments[^1], parameter.Name), out var value))
                {
                    text.Append(value);
                }
                else
                {
                    return null;
                }
            }

            segments.Add(text.ToString());
        }

        return "/" + string.Join('/', segments);
    }

    /// <summary>What a request could have changed: events stored, subscriptions with their secrets, rules, the outbox.</summary>
    private static async Task<string> StateAsync(AnalyticsTestHost host)
    {
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var events = await host.Store.ReadEventsAsync(new RawQuery(), default);
        var subscriptions = await ((IWebhookStore)host.Store).ListWebhookSubscriptionsAsync(default);
        var rules = await ((IAlertStore)host.Store).ListAlertRulesAsync(default);
        var state = new StringBuilder();
        state.AppendLine($"events: {events.Count}");
        foreach (var s in subscriptions.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            state.AppendLine($"webhook {s.Id}: {s.Url} [{string.Join(',', s.EventTypes)}] [{string.Join(',', s.EventNames)}] {s.Enabled} {string.Join(',', s.Secrets)}");
        }

        foreach (var r in rules.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            state.AppendLine($"alert {r.Id}: {r.Name} {r.Metric} {r.Route} {r.Method} {r.EventName} {r.Window} {r.Operator} {r.Threshold} {r.Enabled}");
        }

        state.AppendLine($"outbox: {string.Join(',', Webhooks.WebhookTestApp.OutboxTypes(host.DatabasePath))}");
        return state.ToString();
    }

    /// <summary>A body without a Content-Length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
