using System.Buffers;
using System.Text.Json;
using Analytics.Storage;
using Analytics.Webhooks;

namespace Analytics.Alerts;

/// <summary>The body of <c>alert.triggered</c> and <c>alert.resolved</c> messages, and of the live stream's <c>alert</c> event.</summary>
internal static class AlertPayloads
{
    public static byte[] Message(AlertTransition t) => WebhookPayloads.Write(
        t.Triggered ? WebhookEventTypes.AlertTriggered : WebhookEventTypes.AlertResolved, t.Time, w => WriteData(w, t));

    /// <summary>The <c>data</c> of an alert message; the live stream's <c>alert</c> event sends the same object.</summary>
    public static void WriteData(Utf8JsonWriter w, AlertTransition t)
    {
        var rule = t.Rule;
        w.WriteString("state", t.Triggered ? "triggered" : "resolved");
        w.WriteString("ruleId", rule.Id);
        w.WriteString("name", rule.Name);
        w.WriteString("metric", AlertText.Metric(rule.Metric));
        WebhookPayloads.WriteOptional(w, "route", rule.Route);
        WebhookPayloads.WriteOptional(w, "method", rule.Method);
        WebhookPayloads.WriteOptional(w, "eventName", rule.EventName);
        WebhookPayloads.WriteOptional(w, "slo", rule.Slo);
        WebhookPayloads.WriteOptional(w, "check", rule.Check);
        w.WriteString("window", AlertText.Window(rule.Window));
        w.WriteString("operator", AlertText.Operator(rule.Operator));
        w.WriteNumber("threshold", rule.Threshold);
        w.WriteNumber("value", t.Value);
        w.WriteString("windowStart", t.WindowStart);
        w.WriteString("windowEnd", t.WindowEnd);
        w.WriteString("time", t.Time);
    }

    public static byte[] Data(AlertTransition t)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WriteData(w, t);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
