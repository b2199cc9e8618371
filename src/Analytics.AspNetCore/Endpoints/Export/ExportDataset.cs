using System.Text.Json.Serialization;

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
