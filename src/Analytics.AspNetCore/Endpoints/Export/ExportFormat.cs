using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Alerts;

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
