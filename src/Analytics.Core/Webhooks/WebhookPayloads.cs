using System.Buffers;
using System.Text.Json;
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

    public static byte[] Test(string subscriptionId, DateTimeOffset now) => Write(WebhookEventTypes.Test, now, w =>
    {
        w.WriteString("subscriptionId", subscriptionId);
        w.WriteString("message", "A test message from Analytics: this subscription receives webhooks.");
    });

    /// <summary>
    /// Writes a message body: <c>{ "type", "timestamp", "data" }</c>, with <paramref name="data"/> writing the data
    /// object's members.
    /// </summary>
    public static byte[] Write(string type, DateTimeOffset timestamp, Action<Utf8JsonWriter> data)
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

    public static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
