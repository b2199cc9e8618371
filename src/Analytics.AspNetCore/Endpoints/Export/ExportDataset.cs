using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Alerts;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The values of the export's <c>dataset</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExportDataset>))]
internal enum ExportDataset
{
    [JsonStringEnumMemberName("requests")]
    Requests,

    [JsonStringEnumMemberName("rollups")]
    Rollups,
}
