using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The values of the export's <c>format</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExportFormat>))]
internal enum ExportFormat
{
    [JsonStringEnumMemberName("csv")]
    Csv,

    [JsonStringEnumMemberName("json")]
    Json,
}
