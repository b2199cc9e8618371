using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Analytics.Alerts;
using Analytics.Storage;
using Analytics.Webhooks;
using Microsoft.Extensions.Options;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// The Slack, Teams and Discord bodies made from the stored Standard Webhooks payloads: approved against files for fixed
/// inputs, and held to the shape each service documents (<see cref="ChatShapes"/>) for every event type, hostile text
/// and oversized values.
/// </summary>
public class ChatFormatsTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 22, 10, 30, 2, TimeSpan.Zero);
    private static readonly WebhookFormat[] ChatFormats = [WebhookFormat.Slack, WebhookFormat.Teams, WebhookFormat.Discord];

    private static readonly AlertRule Rule = new()
    {
        Id = "checkout-errors",
        Name = "Checkout errors <5xx> & *retries*",
        Metric = AlertMetric.ErrorRate,
        Route = "/orders/{id}",
        Method = "POST",
        Window = TimeSpan.FromMinutes(5),
        Operator = AlertOperator.GreaterThan,
        Threshold = 0.05,
    };

    internal static byte[] Triggered(DateTimeOffset time) => AlertPayloads.Message(new AlertTransition
    {
        Rule = Rule,
        Triggered = true,
        Value = 0.125,
        WindowStart = time.AddSeconds(-302),
        WindowEnd = time.AddSeconds(-2),
        Time = time,
    });

    private static byte[] Resolved() => AlertPayloads.Message(new AlertTransition
    {
        Rule = Rule,
        Triggered = false,
        Value = 0.0123,
        WindowStart = Time.AddMinutes(6),
        WindowEnd = Time.AddMinutes(11),
        Time = Time.AddMinutes(11),
    });

    private static byte[] RequestFailed(string message = "The \"db\" timed out after 30 s; @everyone <!channel> `drop` *now*", string route = "/orders/{id}") =>
        WebhookPayloads.RequestFailed(new RequestRecord
        {
            Timestamp = Time,
            Method = "POST",
            Route = route,
            Path = "/orders/7",
            StatusCode = 503,
            Duration = TimeSpan.FromMilliseconds(30_012.5),
            ExceptionType = "System.TimeoutException",
            ExceptionMessage = message,
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
            UserId = "user-42",
            Environment = "Production",
            Instance = "web-1",
        });

    private static WebhookBodies Bodies(string? dashboardUrl = "https://api.example.com/analytics", string? mapped = null)
    {
        var links = new DashboardLinks(Options.Create(new RequestAnalyticsOptions
        {
            DashboardUrl = dashboardUrl is null ? null : new Uri(dashboardUrl, UriKind.RelativeOrAbsolute),
        }));
        if (mapped is not null)
        {
            links.Mapped(mapped);
        }

        return new WebhookBodies(links);
    }

    public static TheoryData<WebhookFormat, string> Approved => new()
    {
        { WebhookFormat.Slack, "alert.triggered" }, { WebhookFormat.Slack, "alert.resolved" }, { WebhookFormat.Slack, "request.failed" },
        { WebhookFormat.Teams, "alert.triggered" }, { WebhookFormat.Teams, "alert.resolved" }, { WebhookFormat.Teams, "request.failed" },
        { WebhookFormat.Discord, "alert.triggered" }, { WebhookFormat.Discord, "alert.resolved" }, { WebhookFormat.Discord, "request.failed" },
    };

    [Theory]
    [MemberData(nameof(Approved))]
    public void EachFormatsBodyIsTheApprovedOneAndHasTheServicesShape(WebhookFormat format, string eventType)
    {
        var payload = eventType switch
        {
            "alert.triggered" => Triggered(Time),
            "alert.resolved" => Resolved(),
            _ => RequestFailed(),
        };

        var body = Bodies().For(format, payload);

        Assert.Empty(ChatShapes.Check(format, body));
        VerifyJson($"ChatFormats/{format.ToString().ToLowerInvariant()}.{eventType}", body);
    }

    [Fact]
    public void StandardWebhooksIsSentAsStoredByteForByte()
    {
        var payload = Triggered(Time);

        Assert.Same(payload, Bodies().For(WebhookFormat.StandardWebhooks, payload));
        Assert.True(WebhookBodies.IsSigned(WebhookFormat.StandardWebhooks));
        Assert.All(ChatFormats, f => Assert.False(WebhookBodies.IsSigned(f)));
    }

    [Fact]
    public void AnAlertSaysWhatCrossedWithTheValueThresholdWindowAndScopeAndLinksToThatView()
    {
        using var slack = JsonDocument.Parse(Bodies().For(WebhookFormat.Slack, Triggered(Time)));
        var text = slack.RootElement.GetProperty("text").GetString();
        var button = slack.RootElement.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "actions")
            .GetProperty("elements")[0].GetProperty("url").GetString();

        Assert.Equal("🔴 Alert triggered: Checkout errors &lt;5xx&gt; &amp; *retries*: errorRate is 12.5 %, &gt; 5 %, over the last 5m on POST /orders/{id}.", text);
        Assert.Equal("https://api.example.com/analytics/?route=%2Forders%2F%7Bid%7D&method=POST&from=2026-11-22T10%3A25%3A00Z&to=2026-11-22T10%3A30%3A00Z", button);
    }

    [Fact]
    public void ABurnRateAlertNamesItsObjectiveAndAHealthCheckAlertItsCheckInEveryFormat()
    {
        byte[] Alert(AlertRule rule) => AlertPayloads.Message(new AlertTransition
        {
            Rule = rule,
            Triggered = true,
            Value = 20,
            WindowStart = Time.AddHours(-1),
            WindowEnd = Time,
            Time = Time,
        });
        var burn = Alert(Rule with { Id = "fast-burn", Metric = AlertMetric.BurnRate, Slo = "payments-availability", Threshold = 14.4 });
        var health = Alert(Rule with { Id = "down", Metric = AlertMetric.HealthCheck, Check = "inventory-service", Threshold = 0 });

        using (var data = JsonDocument.Parse(burn))
        {
            Assert.Equal("payments-availability", data.RootElement.GetProperty("data").GetProperty("slo").GetString());
        }

        foreach (var format in ChatFormats)
        {
            using var burnBody = JsonDocument.Parse(Bodies().For(format, burn));
            using var healthBody = JsonDocument.Parse(Bodies().For(format, health));
            Assert.Contains("payments-availability", burnBody.RootElement.GetRawText(), StringComparison.Ordinal);
            Assert.Contains("inventory-service", healthBody.RootElement.GetRawText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void UserTextCannotMentionOrFormatInAnyService()
    {
        var hostile = RequestFailed("@everyone <!channel> <@123> **bold** [link](https://evil.example) _it_");
        var bodies = Bodies();

        var slack = Encoding.UTF8.GetString(bodies.For(WebhookFormat.Slack, hostile));
        var teams = JsonDocument.Parse(bodies.For(WebhookFormat.Teams, hostile)).RootElement;
        var discord = JsonDocument.Parse(bodies.For(WebhookFormat.Discord, hostile)).RootElement;

        Assert.DoesNotContain("<!channel>", slack, StringComparison.Ordinal); // Slack's only control characters: & < >
        Assert.Contains("&lt;!channel&gt; &lt;@123&gt;", slack, StringComparison.Ordinal);
        var teamsSummary = teams.GetProperty("attachments")[0].GetProperty("content").GetProperty("body")[1].GetProperty("text").GetString();
        Assert.Contains(@"\*\*bold\*\* \[link\](https://evil.example) \_it\_", teamsSummary, StringComparison.Ordinal);
        var description = discord.GetProperty("embeds")[0].GetProperty("description").GetString();
        Assert.Contains(@"\<@123\> \*\*bold\*\* \[link\](https://evil.example) \_it\_", description, StringComparison.Ordinal);
        Assert.Equal(0, discord.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength()); // @everyone pings nobody
    }

    [Fact]
    public void WithoutDashboardUrlTheLinkIsRelativeToTheMappedDashboardAndNeverALinkTarget()
    {
        var bodies = Bodies(dashboardUrl: null, mapped: "/ops/analytics/");
        const string Link = "/ops/analytics/?route=%2Forders%2F%7Bid%7D&method=POST&from=2026-11-22T10%3A25%3A00Z&to=2026-11-22T10%3A30%3A00Z";

        var slack = JsonDocument.Parse(bodies.For(WebhookFormat.Slack, Triggered(Time))).RootElement;
        var teams = JsonDocument.Parse(bodies.For(WebhookFormat.Teams, Triggered(Time))).RootElement;
        var discord = JsonDocument.Parse(bodies.For(WebhookFormat.Discord, Triggered(Time))).RootElement;

        var blocks = slack.GetProperty("blocks").EnumerateArray().ToList();
        Assert.DoesNotContain(blocks, b => b.GetProperty("type").GetString() == "actions");
        Assert.Contains($"Dashboard: `{Link.Replace("&", "&amp;", StringComparison.Ordinal)}`", blocks[^1].GetProperty("elements")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        var card = teams.GetProperty("attachments")[0].GetProperty("content");
        Assert.Equal(0, card.GetProperty("actions").GetArrayLength()); // Action.OpenUrl takes absolute URLs only
        Assert.Contains(card.GetProperty("body")[2].GetProperty("facts").EnumerateArray(), f => f.GetProperty("value").GetString() == Link);
        var embed = discord.GetProperty("embeds")[0];
        Assert.False(embed.TryGetProperty("url", out _));
        Assert.Contains(embed.GetProperty("fields").EnumerateArray(), f => f.GetProperty("name").GetString() == "Dashboard");
        Assert.All(ChatFormats, f => Assert.Empty(ChatShapes.Check(f, bodies.For(f, Triggered(Time)))));

        var nowhere = Bodies(dashboardUrl: null); // no DashboardUrl and no dashboard mapped: no link at all
        Assert.DoesNotContain("Dashboard", Encoding.UTF8.GetString(nowhere.For(WebhookFormat.Slack, Triggered(Time))), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEventTypeGetsAMessageInEveryFormat()
    {
        byte[][] payloads =
        [
            WebhookPayloads.EventTracked(new EventRecord
            {
                Timestamp = Time, Name = "deploy", PropertiesJson = "{\"version\":\"1.2.3\"}", Success = false, Duration = TimeSpan.FromSeconds(95),
            }),
            WebhookPayloads.Test("wh_1", Time),
            WebhookPayloads.Write("something.new", Time, w => w.WriteString("note", "a type this version does not know")),
        ];

        foreach (var format in ChatFormats)
        {
            foreach (var payload in payloads)
            {
                var body = Bodies().For(format, payload);
                Assert.True(ChatShapes.Check(format, body) is [], $"{format}: {string.Join("; ", ChatShapes.Check(format, body))}");
            }
        }

        var deploy = Encoding.UTF8.GetString(Bodies().For(WebhookFormat.Slack, payloads[0]));
        Assert.Contains("Custom event deploy was tracked, failed, after 95000 ms.", deploy, StringComparison.Ordinal);
    }

    [Fact]
    public void OversizedTextIsCutToEachServicesLimits()
    {
        var payload = RequestFailed(message: string.Concat(Enumerable.Repeat("ab😀", 4_000)), route: "/" + new string('r', 5_000));

        foreach (var format in ChatFormats)
        {
            var body = Bodies().For(format, payload);
            Assert.True(ChatShapes.Check(format, body) is [], $"{format}: {string.Join("; ", ChatShapes.Check(format, body))}");
        }

        Assert.Equal("ab…", ChatText.Truncate("ab😀cd", 4)); // never half a surrogate pair
        Assert.Equal("ab😀cd", ChatText.Truncate("ab😀cd", 6));
    }

    /// <summary>
    /// Compares a body, indented, with <c>{name}.approved.json</c> beside this file; on a mismatch writes
    /// <c>{name}.received.json</c> and fails (rename it over the approved one once the change is intended).
    /// </summary>
    private static void VerifyJson(string name, byte[] body, [CallerFilePath] string source = "")
    {
        var folder = Path.GetDirectoryName(source)!;
        var approvedPath = Path.Combine(folder, name + ".approved.json");
        var receivedPath = Path.Combine(folder, name + ".received.json");
        using var document = JsonDocument.Parse(body);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.RootElement.WriteTo(writer);
        }

        var actual = Encoding.UTF8.GetString(buffer.WrittenSpan).ReplaceLineEndings("\n") + "\n";
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";
        if (approved != actual)
        {
            File.WriteAllText(receivedPath, actual);
            Assert.Fail($"The body differs from {approvedPath}; it is in {receivedPath}. Review the diff and, if intended, "
                + $"mv \"{receivedPath}\" \"{approvedPath}\".");
        }

        File.Delete(receivedPath);
    }
}
