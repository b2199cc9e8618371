using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// A small JSON object body of the admin endpoints (webhooks, alerts), read field by field so that every wrong field
/// is named in the 400 (<c>eventTypes[1]</c>), unknown fields are refused rather than silently ignored, and nothing
/// about the body can throw past the endpoint: <see cref="RequestJson"/> has checked every string and field name in it.
/// </summary>
internal sealed class JsonBody : IDisposable
{
    // A webhook's or alert rule's definition is flat; 8 leaves room and stops a 64 KB nest of brackets early.
    private const int MaxDepth = 8;

    private readonly JsonDocument? _document;
    private readonly JsonElement _root;

    private JsonBody(JsonDocument? document)
    {
        _document = document;
        _root = document?.RootElement ?? default;
    }

    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads the body; returns the error to answer with instead when it is not a JSON object (an empty one is allowed
    /// when <paramref name="optional"/>). The content type must be JSON even then: a browser sends JSON across origins
    /// only after a CORS preflight, so another site's form cannot make these changes with the user's loopback access.
    /// </summary>
    public static async Task<(JsonBody? Body, IResult? Error)> ReadAsync(HttpContext context, bool optional, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return (null, AnalyticsProblem.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "The body must be sent as application/json."));
        }

        if (request.ContentLength > EventIngestion.MaxBodyBytes
            || await EventIngestion.ReadBodyAsync(request.Body, cancellationToken).ConfigureAwait(false) is not { } bytes)
        {
            return (null, EventIngestion.TooLarge());
        }

        if (optional && bytes.Length == 0)
        {
            return (new JsonBody(null), null);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (RequestJson.Parse(bytes, MaxDepth, errors) is not { } document)
        {
            return (null, AnalyticsApi.BadRequest(errors));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, Invalid("body", "The body must be a JSON object."));
        }

        return (new JsonBody(document), null);
    }

    public static IResult Invalid(string field, string message) =>
        AnalyticsApi.BadRequest(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>Names every field the endpoint does not know.</summary>
    public void RejectUnknown(params string[] known)
    {
        if (_document is null)
        {
            return;
        }

        foreach (var property in _root.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                Error(TextLimit.Truncate(property.Name, 50), $"is not a field here; use {string.Join(", ", known)}.");
            }
        }
    }

    public bool Has(string field) => TryGet(field, out _);

    public string? String(string field)
    {
        if (!TryGet(field, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error(field, "must be a string.");
            return null;
        }

        return value.GetString();
    }

    public List<string?>? StringArray(string field)
    {
        if (!TryGet(field, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(field, "must be an array of strings.");
            return null;
        }

        var items = new List<string?>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                Error($"{field}[{i}]", "must be a string.");
            }

            items.Add(item.ValueKind == JsonValueKind.String ? item.GetString() : null);
            i++;
        }

        return items;
    }

    public bool? Bool(string field)
    {
        if (!TryGet(field, out var value))
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Error(field, "must be true or false.");
            return null;
        }

        return value.GetBoolean();
    }

    public double? Number(string field)
    {
        if (!TryGet(field, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
        {
            Error(field, "must be a number.");
            return null;
        }

        return number;
    }

    public void Error(string field, string message) =>
        Errors[field] = Errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public void Dispose() => _document?.Dispose();

    private bool TryGet(string field, out JsonElement value)
    {
        value = default;
        return _document is not null && _root.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null;
    }
}
