using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Pipeline;
using Analytics.Storage;

namespace Analytics;

/// <summary>
/// Validates and stamps custom events and queues them. Properties are serialized here, on the caller's thread, so the
/// stored event is a snapshot even if the caller mutates its dictionary afterwards.
/// </summary>
internal sealed class AnalyticsTracker : IAnalyticsTracker
{
    internal const int MaxProperties = 50;
    internal const int MaxPropertyNameLength = 100;
    internal const int MaxUserIdLength = 256;

    private readonly AnalyticsQueue _queue;
    private readonly TimeProvider _timeProvider;
    private readonly HostIdentity _identity;

    public AnalyticsTracker(AnalyticsQueue queue, TimeProvider timeProvider, HostIdentity identity)
    {
        _queue = queue;
        _timeProvider = timeProvider;
        _identity = identity;
    }

    public bool Track(string name, IReadOnlyDictionary<string, object?>? properties = null, string? userId = null) =>
        Track(new AnalyticsEvent(name) { Properties = properties, UserId = userId });

    public bool Track(AnalyticsEvent analyticsEvent)
    {
        ArgumentNullException.ThrowIfNull(analyticsEvent);
        return _queue.TryEnqueue(ToRecord(analyticsEvent, _timeProvider.GetUtcNow(), _identity));
    }

    /// <summary>Validates an event and turns it into what is stored. Throws <see cref="ArgumentException"/> naming the bad part.</summary>
    internal static EventRecord ToRecord(AnalyticsEvent analyticsEvent, DateTimeOffset now, HostIdentity identity)
    {
        ValidateName(analyticsEvent.Name, nameof(AnalyticsEvent.Name));
        if (analyticsEvent.UserId is { Length: > MaxUserIdLength })
        {
            throw new ArgumentException($"The user id is longer than {MaxUserIdLength} characters.", nameof(AnalyticsEvent.UserId));
        }

        if (analyticsEvent.Duration is { } duration && duration < TimeSpan.Zero)
        {
            throw new ArgumentException("The duration must not be negative.", nameof(AnalyticsEvent.Duration));
        }

        return new EventRecord
        {
            Timestamp = (analyticsEvent.Timestamp ?? now).ToUniversalTime(),
            Name = analyticsEvent.Name,
            UserId = analyticsEvent.UserId,
            Duration = analyticsEvent.Duration,
            Success = analyticsEvent.Success,
            PropertiesJson = SerializeProperties(analyticsEvent.Properties),
            Environment = identity.Environment,
            Instance = identity.Instance,
            Release = identity.Release,
        };
    }

    /// <summary>Throws unless the name has 1 to 100 characters and no control characters.</summary>
    internal static void ValidateName(string? name, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("An event name must not be empty.", parameterName);
        }

        if (name.Length > RequestAnalyticsDefaults.MaxEventNameLength)
        {
            throw new ArgumentException(
                $"An event name must be at most {RequestAnalyticsDefaults.MaxEventNameLength} characters; " +
                $"this one has {name.Length}.",
                parameterName);
        }

        if (name.AsSpan().ContainsAnyInRange('\u0000', '\u001f') || name.Contains('\u007f'))
        {
            throw new ArgumentException("An event name must not contain control characters.", parameterName);
        }
    }

    private static string? SerializeProperties(IReadOnlyDictionary<string, object?>? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            return null;
        }

        if (properties.Count > MaxProperties)
        {
            throw new ArgumentException(
                $"An event may have at most {MaxProperties} properties; this one has {properties.Count}.",
                nameof(AnalyticsEvent.Properties));
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in properties)
            {
                if (string.IsNullOrEmpty(key) || key.Length > MaxPropertyNameLength)
                {
                    throw new ArgumentException(
                        $"Property names must have 1 to {MaxPropertyNameLength} characters.",
                        nameof(AnalyticsEvent.Properties));
                }

                writer.WritePropertyName(key);
                WriteValue(writer, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // Hand-written rather than JsonSerializer over object: stays AOT-safe without a type registry for every caller's value.
    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case short sh: writer.WriteNumberValue(sh); break;
            case byte by: writer.WriteNumberValue(by); break;
            case uint ui: writer.WriteNumberValue(ui); break;
            case ulong ul: writer.WriteNumberValue(ul); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case DateTimeOffset dto: writer.WriteStringValue(dto); break;
            case DateTime dt: writer.WriteStringValue(dt); break;
            case Guid g: writer.WriteStringValue(g); break;
            case TimeSpan ts: writer.WriteStringValue(ts.ToString("c", CultureInfo.InvariantCulture)); break;
            case IFormattable formattable: writer.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture)); break;
            default: writer.WriteStringValue(value.ToString()); break;
        }
    }
}
