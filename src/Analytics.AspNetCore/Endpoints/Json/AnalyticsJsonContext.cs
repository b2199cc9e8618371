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
[JsonSerializable(typeof(IReadOnlyList<ConsumerStats>))]
[JsonSerializable(typeof(IReadOnlyList<ReleaseStats>))]
[JsonSerializable(typeof(IReadOnlyList<SloView>))]
[JsonSerializable(typeof(IReadOnlyList<StatusCodeCount>))]
[JsonSerializable(typeof(IReadOnlyList<ErrorGroup>))]
[JsonSerializable(typeof(ErrorDetail))]
[JsonSerializable(typeof(HealthMetrics))]
[JsonSerializable(typeof(IReadOnlyList<Analytics.Uptime.UptimeCheck>))]
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
