using System.Globalization;
using System.Text.Json;

namespace Analytics.Webhooks;

/// <summary>
/// Reads the Standard Webhooks body of a message (<c>{ type, timestamp, data }</c>, as <see cref="WebhookPayloads"/>
/// and the alert evaluator write it) into what a chat message says. Every event type gets a message; an alert gets the
/// value it measured against its threshold, its window and scope, and a link to the dashboard's view of them.
/// </summary>
internal static class ChatMessages
{
    // The dashboard's window around a single request or event: enough to see what came before and after it.
    private static readonly TimeSpan Around = TimeSpan.FromMinutes(15);

    public static ChatMessage From(byte[] payload, DashboardLinks links)
    {
        using var json = JsonDocument.Parse(payload);
        var root = json.RootElement;
        var type = Text(root, "type") ?? string.Empty;
        var time = Time(root, "timestamp") ?? DateTimeOffset.UnixEpoch;
        var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var message = type switch
        {
            WebhookEventTypes.AlertTriggered or WebhookEventTypes.AlertResolved => Alert(data, type == WebhookEventTypes.AlertTriggered, time, links),
            WebhookEventTypes.RequestFailed => RequestFailed(data, time, links),
            WebhookEventTypes.EventTracked => EventTracked(data, time, links),
            WebhookEventTypes.Test => new ChatMessage
            {
                Tone = ChatTone.Info,
                Title = "Test message from Analytics",
                Summary = Text(data, "message") ?? "This subscription receives webhooks.",
                Facts = Facts(("Subscription", Text(data, "subscriptionId"))),
                Link = links.For(),
                Time = time,
            },
            _ => new ChatMessage
            {
                Tone = ChatTone.Info,
                Title = type,
                Summary = data.ValueKind == JsonValueKind.Object ? data.GetRawText() : string.Empty,
                Link = links.For(),
                Time = time,
            },
        };
        return message with { LinkIsAbsolute = links.Absolute && message.Link is not null };
    }

    private static ChatMessage Alert(JsonElement data, bool triggered, DateTimeOffset time, DashboardLinks links)
    {
        var metric = Text(data, "metric") ?? "value";
        var op = Text(data, "operator") ?? ">";
        var value = Number(data, "value") is { } v ? Measure(metric, v) : "?";
        var threshold = Number(data, "threshold") is { } th ? Measure(metric, th) : "?";
        var window = Text(data, "window") ?? "?";
        var route = Text(data, "route");
        var method = Text(data, "method");
        var eventName = Text(data, "eventName");
        var from = Time(data, "windowStart");
        var to = Time(data, "windowEnd");
        var scope = (method, route, eventName) switch
        {
            (_, _, { } name) => $" for custom event {name}",
            ({ } m, { } r, _) => $" on {m} {r}",
            (null, { } r, _) => $" on {r}",
            ({ } m, null, _) => $" on {m} requests",
            _ => string.Empty,
        };
        return new ChatMessage
        {
            Tone = triggered ? ChatTone.Triggered : ChatTone.Resolved,
            Title = (triggered ? "Alert triggered: " : "Alert resolved: ") + (Text(data, "name") ?? Text(data, "ruleId") ?? "alert"),
            Summary = triggered
                ? $"{metric} is {value}, {op} {threshold}, over the last {window}{scope}."
                : $"{metric} is back to {value} (the rule fires when {op} {threshold}) over the last {window}{scope}.",
            Facts = Facts(
                ("Metric", metric),
                ("Value", value),
                ("Threshold", $"{op} {threshold}"),
                ("Window", from is { } f && to is { } e ? $"{window} ({Clock(f)} to {Clock(e)} UTC)" : window),
                ("Route", route),
                ("Method", method),
                ("Event", eventName),
                ("Objective", Text(data, "slo")),
                ("Health check", Text(data, "check"))),
            Link = links.For(route, method, from, to),
            Time = time,
        };
    }

    private static ChatMessage RequestFailed(JsonElement data, DateTimeOffset time, DashboardLinks links)
    {
        var route = Text(data, "route");
        var method = Text(data, "method");
        var status = Number(data, "statusCode") is { } s ? s.ToString("0", CultureInfo.InvariantCulture) : "?";
        var duration = Number(data, "duration") is { } ms ? Measure("p95", ms) : null;
        var exception = Text(data, "exceptionType");
        var at = Time(data, "time") ?? time;

        // The user id stays out: a chat channel is read more widely than a webhook receiver's logs.
        return new ChatMessage
        {
            Tone = ChatTone.Failure,
            Title = $"Request failed: {status} {method} {route}".TrimEnd(),
            Summary = exception is not null
                ? $"{exception}: {Text(data, "exceptionMessage")}".TrimEnd(':', ' ')
                : $"{method} {Text(data, "path")} answered {status}" + (duration is null ? "." : $" after {duration}."),
            Facts = Facts(
                ("Status", status),
                ("Route", route),
                ("Method", method),
                ("Path", Text(data, "path")),
                ("Duration", duration),
                ("Exception", exception),
                ("Trace id", Text(data, "traceId")),
                ("Environment", Text(data, "environment")),
                ("Instance", Text(data, "instance"))),
            Link = links.For(route, method, at - Around, at + Around),
            Time = time,
        };
    }

    private static ChatMessage EventTracked(JsonElement data, DateTimeOffset time, DashboardLinks links)
    {
        var name = Text(data, "name") ?? "event";
        bool? success = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("success", out var ok)
            && ok.ValueKind is JsonValueKind.True or JsonValueKind.False ? ok.GetBoolean() : null;
        var duration = Number(data, "duration") is { } ms ? Measure("p95", ms) : null;
        var at = Time(data, "time") ?? time;
        var properties = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("properties", out var p) ? p.GetRawText() : null;
        return new ChatMessage
        {
            Tone = success == false ? ChatTone.Failure : ChatTone.Info,
            Title = $"Event tracked: {name}",
            Summary = $"Custom event {name} was tracked"
                + (success switch { true => ", successful", false => ", failed", _ => string.Empty })
                + (duration is null ? "." : $", after {duration}."),
            Facts = Facts(
                ("Success", success switch { true => "yes", false => "no", _ => null }),
                ("Duration", duration),
                ("Properties", properties is null ? null : ChatText.Truncate(properties, 500)),
                ("Environment", Text(data, "environment")),
                ("Instance", Text(data, "instance"))),
            Link = links.For(from: at - Around, to: at + Around),
            Time = time,
        };
    }

    /// <summary>A value of <paramref name="metric"/> with its unit: a share as a percentage, a percentile in ms, a ratio with ×.</summary>
    internal static string Measure(string metric, double value) => metric switch
    {
        "errorRate" => (value * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %",
        "p95" or "p99" => value.ToString("0.#", CultureInfo.InvariantCulture) + " ms",
        "changeRatio" or "burnRate" => value.ToString("0.##", CultureInfo.InvariantCulture) + "×",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static string Clock(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static KeyValuePair<string, string>[] Facts(params (string Name, string? Value)[] facts) =>
        [.. facts.Where(f => !string.IsNullOrEmpty(f.Value)).Select(f => KeyValuePair.Create(f.Name, f.Value!))];

    private static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static double? Number(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : null;

    private static DateTimeOffset? Time(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.TryGetDateTimeOffset(out var time)
            ? time
            : null;
}
