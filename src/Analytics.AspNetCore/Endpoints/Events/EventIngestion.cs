using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Analytics.Pipeline;
using Analytics.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// <c>POST {prefix}/api/events</c>: one event object or an array of up to <see cref="MaxEvents"/>, at most
/// <see cref="MaxBodyBytes"/>. Validation is all or nothing: one bad item rejects the batch, listing every problem, and
/// nothing of it is queued.
/// </summary>
internal static class EventIngestion
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxEvents = 100;
    public const string KeyHeader = "X-Analytics-Key";

    // A batch, an event, its properties, and some nesting within a property's value.
    private const int MaxDepth = 16;

    // Clock skew between a sender and this host is tolerated this far into the future.
    private static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(365);
    internal static readonly string[] Fields = ["name", "properties", "userId", "timestamp", "duration", "success"];

    public static async Task<IResult> Post(HttpContext context, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType())
        {
            return AnalyticsProblem.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Events must be sent as application/json.");
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        var body = await ReadBodyAsync(context.Request.Body, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TooLarge();
        }

        var services = context.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var options = services.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value;
        var identity = services.GetRequiredService<HostIdentity>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        // The named key's consumer; callers the group's access rules let in without a key post as no one.
        _ = HasValidKey(context, options, out var consumer);
        var records = Parse(body.Value, now, options, identity, errors, consumer);
        if (errors.Count > 0)
        {
            return AnalyticsApi.BadRequest(errors);
        }

        var queue = services.GetRequiredService<AnalyticsQueue>();
        int accepted = 0;
        foreach (var record in records)
        {
            accepted += queue.TryEnqueue(record) ? 1 : 0;
        }

        if (accepted == 0 && records.Count > 0)
        {
            // The queue is full (or stopping): the drop is counted; the sender may retry.
            context.Response.Headers.RetryAfter = "1";
            return AnalyticsProblem.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The analytics queue is full; retry shortly.");
        }

        return TypedResults.Json(
            new EventsAccepted(accepted),
            AnalyticsJsonContext.Default.EventsAccepted,
            statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// Compares the request's key with each configured key, unnamed (<see cref="RequestAnalyticsOptions.IngestKeys"/>) and
    /// named (<see cref="RequestAnalyticsOptions.NamedIngestKeys"/>), in constant time: hashes first, so lengths do not
    /// leak, and every key is compared whichever matches. <paramref name="consumer"/> is the name of the named key that
    /// matched, else <see langword="null"/>.
    /// </summary>
    public static bool HasValidKey(HttpContext context, RequestAnalyticsOptions options, out string? consumer)
    {
        consumer = null;
        if ((options.IngestKeys.Count == 0 && options.NamedIngestKeys.Count == 0)
            || !context.Request.Headers.TryGetValue(KeyHeader, out var values)
            || values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(values[0]!), given);
        bool match = false;
        foreach (var key in options.IngestKeys)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key), expected);
            match |= CryptographicOperations.FixedTimeEquals(given, expected);
        }

        foreach (var (name, key) in options.NamedIngestKeys)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key), expected);
            bool equal = CryptographicOperations.FixedTimeEquals(given, expected);
            match |= equal;
            consumer = equal ? name : consumer; // validation at start keeps each key to one name
        }

        return match;
    }

    internal static List<EventRecord> Parse(
        ReadOnlyMemory<byte> body,
        DateTimeOffset now,
        RequestAnalyticsOptions options,
        HostIdentity identity,
        Dictionary<string, string[]> errors,
        string? consumer = null)
    {
        var records = new List<EventRecord>();
        if (RequestJson.Parse(body, MaxDepth, errors) is not { } document)
        {
            return records;
        }

        using (document)
        {
            var root = document.RootElement;
            bool isBatch = root.ValueKind == JsonValueKind.Array;
            if (root.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                errors["body"] = ["The body must be an event object or an array of event objects."];
                return records;
            }

            int count = isBatch ? root.GetArrayLength() : 1;
            if (count > MaxEvents)
            {
                errors["body"] = [$"A batch holds at most {MaxEvents} events; this one has {count}."];
                return records;
            }

            int index = 0;
            foreach (var item in isBatch ? root.EnumerateArray() : Enumerable.Repeat(root, 1))
            {
                string prefix = isBatch ? $"[{index}]." : string.Empty;
                if (ParseItem(item, prefix, now, options, identity, errors) is { } record)
                {
                    records.Add(consumer is null ? record : record with { Consumer = consumer });
                }

                index++;
            }
        }

        return records;
    }

    private static EventRecord? ParseItem(
        JsonElement item,
        string prefix,
        DateTimeOffset now,
        RequestAnalyticsOptions options,
        HostIdentity identity,
        Dictionary<string, string[]> errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors[prefix.Length > 0 ? prefix.TrimEnd('.') : "body"] = ["An event must be a JSON object."];
            return null;
        }

        int before = errors.Count;
        foreach (var property in item.EnumerateObject())
        {
            if (Array.IndexOf(Fields, property.Name) < 0)
            {
                errors[prefix + property.Name] = [$"Unknown field; an event has {string.Join(", ", Fields)}."];
            }
        }

        string? name = null;
        if (!item.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
        {
            errors[prefix + "name"] = ["A name (a string) is required."];
        }
        else
        {
            name = nameElement.GetString();
            try
            {
                AnalyticsTracker.ValidateName(name, "name");
            }
            catch (ArgumentException ex)
            {
                errors[prefix + "name"] = [AnalyticsApi.MessageOf(ex)];
            }
        }

        string? userId = OptionalString(item, "userId", AnalyticsTracker.MaxUserIdLength, prefix, errors);
        string? properties = null;
        if (item.TryGetProperty("properties", out var propertiesElement) && propertiesElement.ValueKind != JsonValueKind.Null)
        {
            properties = ValidateProperties(propertiesElement, prefix + "properties", errors);
        }

        DateTimeOffset timestamp = now;
        if (OptionalString(item, "timestamp", 64, prefix, errors) is { } timeText)
        {
            if (!DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp))
            {
                errors[prefix + "timestamp"] = ["Not an ISO-8601 time such as 2026-11-21T10:00:00Z."];
            }
            else if (timestamp > now + MaxFutureSkew)
            {
                errors[prefix + "timestamp"] = ["The time is more than 5 minutes in the future."];
            }
            else if (timestamp < now - options.Retention.Raw)
            {
                errors[prefix + "timestamp"] = ["The time is older than the raw retention (RequestAnalytics:Retention:Raw)."];
            }
        }

        TimeSpan? duration = null;
        if (item.TryGetProperty("duration", out var durationElement) && durationElement.ValueKind != JsonValueKind.Null)
        {
            if (durationElement.ValueKind == JsonValueKind.Number && durationElement.TryGetDouble(out double ms)
                && double.IsFinite(ms) && ms >= 0 && ms <= MaxDuration.TotalMilliseconds)
            {
                duration = TimeSpan.FromMilliseconds(ms);
            }
            else
            {
                errors[prefix + "duration"] = ["The duration is a number of milliseconds from 0 to one year."];
            }
        }

        bool? success = null;
        if (item.TryGetProperty("success", out var successElement) && successElement.ValueKind != JsonValueKind.Null)
        {
            if (successElement.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                success = successElement.GetBoolean();
            }
            else
            {
                errors[prefix + "success"] = ["success is true, false or null."];
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new EventRecord
        {
            Timestamp = timestamp.ToUniversalTime(),
            Name = name!,
            UserId = userId,
            Duration = duration,
            Success = success,
            PropertiesJson = properties,
            Environment = identity.Environment,
            Instance = identity.Instance,
            Release = identity.Release,
        };
    }

    private static string? ValidateProperties(JsonElement element, string key, Dictionary<string, string[]> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors[key] = ["properties must be a JSON object."];
            return null;
        }

        int count = 0;
        foreach (var property in element.EnumerateObject())
        {
            count++;
            if (property.Name.Length is 0 or > AnalyticsTracker.MaxPropertyNameLength)
            {
                errors[key] = [$"Property names have 1 to {AnalyticsTracker.MaxPropertyNameLength} characters."];
                return null;
            }
        }

        if (count > AnalyticsTracker.MaxProperties)
        {
            errors[key] = [$"An event has at most {AnalyticsTracker.MaxProperties} properties; this one has {count}."];
            return null;
        }

        return count == 0 ? null : element.GetRawText();
    }

    private static string? OptionalString(JsonElement item, string field, int maxLength, string prefix, Dictionary<string, string[]> errors)
    {
        if (!item.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String || element.GetString() is not { } value || value.Length > maxLength)
        {
            errors[prefix + field] = [$"{field} is a string of at most {maxLength} characters."];
            return null;
        }

        return value;
    }

    internal static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        // Read one byte past the limit: a chunked body without Content-Length is measured as it arrives, never buffered whole.
        var buffer = new byte[MaxBodyBytes + 1];
        int length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        // Not "? null :" — null would convert to an empty ReadOnlyMemory (through byte[]) rather than to no value.
        if (length > MaxBodyBytes)
        {
            return default(ReadOnlyMemory<byte>?);
        }

        return buffer.AsMemory(0, length);
    }

    internal static IResult TooLarge() =>
        AnalyticsProblem.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"A body of events is at most {MaxBodyBytes / 1024} KB.");
}
