using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>Writes a string that already holds JSON (an event's stored properties) as that JSON, not as a string.</summary>
internal sealed class RawJsonConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value, skipInputValidation: false);
}
