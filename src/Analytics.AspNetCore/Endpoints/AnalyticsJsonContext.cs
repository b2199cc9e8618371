using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// The JSON of the HTTP API, generated at build time (no reflection, AOT-safe): camelCase names, enums as strings, times
/// as ISO-8601 UTC with a <c>Z</c>.
/// </summary>
/// <remarks>
/// The enums' strings are not set here: each enum the API sends carries <see cref="JsonStringEnumConverter{TEnum}"/> and
/// its wire names itself (<see cref="Granularity"/>), so that the schema a host's OpenAPI generator exports from the
/// host's own JSON options names the same strings.
/// </remarks>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(AnalyticsOverview))]
[JsonSerializable(typeof(TimeSeries))]
[JsonSerializable(typeof(IReadOnlyList<RouteStats>))]
[JsonSerializable(typeof(IReadOnlyList<StatusCodeCount>))]
[JsonSerializable(typeof(IReadOnlyList<ErrorGroup>))]
[JsonSerializable(typeof(ErrorDetail))]
[JsonSerializable(typeof(HealthMetrics))]
[JsonSerializable(typeof(PlaygroundCatalog))]
[JsonSerializable(typeof(Heatmap))]
[JsonSerializable(typeof(RequestPage))]
[JsonSerializable(typeof(EventsOverTime))]
[JsonSerializable(typeof(EventsAccepted))]
[JsonSerializable(typeof(LiveSnapshot))]
[JsonSerializable(typeof(StreamsClosed))]
[JsonSerializable(typeof(LiveConnected))]
[JsonSerializable(typeof(LivePingPayload))]
[JsonSerializable(typeof(RequestLogEntry))]
[JsonSerializable(typeof(LiveEvent))]
[JsonSerializable(typeof(WebhookSubscriptionView))]
[JsonSerializable(typeof(IReadOnlyList<WebhookSubscriptionView>))]
[JsonSerializable(typeof(WebhookTestQueued))]
[JsonSerializable(typeof(WebhookDeliveryPage))]
[JsonSerializable(typeof(WebhookSecrets))]
[JsonSerializable(typeof(AlertRuleView))]
[JsonSerializable(typeof(IReadOnlyList<AlertRuleView>))]
[JsonSerializable(typeof(AlertHistoryPage))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
[JsonSerializable(typeof(string))] // the problems' traceId extension
internal sealed partial class AnalyticsJsonContext : JsonSerializerContext;

/// <summary>The answer to <c>POST {prefix}/api/events</c>.</summary>
/// <param name="Accepted">How many events entered the queue.</param>
internal sealed record EventsAccepted(int Accepted);

/// <summary>Writes every time as UTC with a <c>Z</c>, the form browsers and every ISO-8601 parser read alike.</summary>
internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    /// <summary>Formats a time as the API writes it everywhere, JSON and CSV alike.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
