using System.Text;
using System.Text.Json;

namespace Analytics.AspNetCore.Tests.Endpoints;

/// <summary>
/// Writes the shape of a JSON answer, a line per value with its path and kind, for the tests that pin shapes in an
/// approved file.
/// </summary>
internal static class JsonShape
{
    public static void Describe(JsonElement element, string path, StringBuilder output)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Describe(property.Value, $"{path}.{property.Name}", output);
                }

                break;
            case JsonValueKind.Array:
                output.Append("  ").Append(path).Append(": array\n");
                if (element.GetArrayLength() > 0)
                {
                    // Items share one shape; the one with the most non-null values describes it best.
                    var richest = element.EnumerateArray().OrderByDescending(e => e.ValueKind == JsonValueKind.Object ? e.EnumerateObject().Count(p => p.Value.ValueKind != JsonValueKind.Null) : 0).First();
                    Describe(richest, path + "[]", output);
                }

                break;
            default:
                output.Append("  ").Append(path).Append(": ").Append(element.ValueKind switch
                {
                    JsonValueKind.String => "string",
                    JsonValueKind.Number => "number",
                    JsonValueKind.True or JsonValueKind.False => "boolean",
                    _ => "null",
                }).Append('\n');
                break;
        }
    }
}
