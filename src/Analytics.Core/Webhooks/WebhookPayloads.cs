using System.Buffers;
using System.Text.Json;
using Analytics.Alerts;
using Analytics.Storage;

namespace Analytics.Webhooks;

/// <summary>
/// The bodies of webhook messages: <c>{ "type", "timestamp", "data" }</c>, camelCase, times in ISO-8601 UTC, durations
/// in milliseconds. Written by hand with <see cref="Utf8JsonWriter"/>: the shapes are few and stable, and the body is
/// built once per event and shared by every subscription it goes to.
/// </summary>
internal static class WebhookPayloads
{
    public static byte[] RequestFailed(in RequestRecord r)
    {
        var request = r;
        return Write(WebhookEventTypes.RequestFailed, request.Timestamp, w =>
        {
            w.WriteString("time", request.Timestamp);
            w.WriteString("method", request.Method);
            w.WriteString("route", request.Route);
            w.WriteString("path", request.Path);
            w.WriteNumber("statusCode", request.StatusCode);
            w.WriteNumber("duration", request.Duration.TotalMilliseconds);
            WriteOptional(w, "exceptionType", request.ExceptionType);
            WriteOptional(w, "exceptionMessage", request.ExceptionMessage);
            WriteOptional(w, "traceId", request.TraceId);
            WriteOptional(w, "userId", request.UserId);
            WriteOptional(w, "environment", request.Environment);
            WriteOptional(w, "instance", request.Instance);
        });
    }

    public static byte[] EventTracked(EventRecord e) => Write(WebhookEventTypes.EventTracked, e.Timestamp, w =>
    {
        w.WriteString("time", e.Timestamp);
        w.WriteString("name", e.Name);
        WriteOptional(w, "userId", e.UserId);
        if (e.Duration is { } duration)
        {
            w.WriteNumber("duration", duration.TotalMilliseconds);
        }

        if (e.Success is { } success)
        {
            w.WriteBoolean("success", success);
        }

        if (e.PropertiesJson is { } properties)
        {
            w.WritePropertyName("properties");
            w.WriteRawValue(properties, skipInputValidation: false);
        }

        WriteOptional(w, "environment", e.Environment);
        WriteOptional(w, "instance", e.Instance);
    });

    public static byte[] Alert(AlertTransition t) => Write(
        t.Triggered ? WebhookEventTypes.AlertTriggered : WebhookEventTypes.AlertResolved, t.Time, w => WriteAlertData(w, t));

    /// <summary>The <c>data</c> of an alert message; the live stream's <c>alert</c> event sends the same object.</summary>
    public static void WriteAlertData(Utf8JsonWriter w, AlertTransition t)
    {
        var rule = t.Rule;
        w.WriteString("state", t.Triggered ? "triggered" : "resolved");
        w.WriteString("ruleId", rule.Id);
        w.WriteString("name", rule.Name);
        w.WriteString("metric", AlertText.Metric(rule.Metric));
        WriteOptional(w, "route", rule.Route);
        WriteOptional(w, "method", rule.Method);
        WriteOptional(w, "eventName", rule.EventName);
        w.WriteString("window", AlertText.Window(rule.Window));
        w.WriteString("operator", AlertText.Operator(rule.Operator));
        w.WriteNumber("threshold", rule.Threshold);
        w.WriteNumber("value", t.Value);
        w.WriteString("windowStart", t.WindowStart);
        w.WriteString("windowEnd", t.WindowEnd);
        w.WriteString("time", t.Time);
    }

    public static byte[] AlertData(AlertTransition t)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WriteAlertData(w, t);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Test(string subscriptionId, DateTimeOffset now) => Write(WebhookEventTypes.Test, now, w =>
    {
        w.WriteString("subscriptionId", subscriptionId);
        w.WriteString("message", "A test message from Analytics: this subscription receives webhooks.");
    });

    private static byte[] Write(string type, DateTimeOffset timestamp, Action<Utf8JsonWriter> data)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteString("timestamp", timestamp.ToUniversalTime());
            w.WriteStartObject("data");
            data(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
