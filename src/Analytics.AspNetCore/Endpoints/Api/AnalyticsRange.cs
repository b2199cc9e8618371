using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The values of <c>range</c>: a span back from now.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnalyticsRange>))]
internal enum AnalyticsRange
{
    [JsonStringEnumMemberName("15m")]
    Last15Minutes,

    [JsonStringEnumMemberName("1h")]
    LastHour,

    [JsonStringEnumMemberName("6h")]
    Last6Hours,

    [JsonStringEnumMemberName("24h")]
    Last24Hours,

    [JsonStringEnumMemberName("7d")]
    Last7Days,

    [JsonStringEnumMemberName("30d")]
    Last30Days,

    [JsonStringEnumMemberName("90d")]
    Last90Days,
}
