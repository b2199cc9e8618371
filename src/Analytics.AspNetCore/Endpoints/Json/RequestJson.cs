using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// The one way a request body becomes a <see cref="JsonDocument"/> (events, webhooks, alerts): before any endpoint reads
/// the document, every string value and field name in it is checked to be text, and every field to be given once.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> checks the syntax only: it accepts half
/// of a UTF-16 surrogate pair written as an escape (<c>"\ud800"</c>, <c>"\udc00\ud800"</c>) and bytes that are not UTF-8
/// (<c>0xFF</c>, the overlong <c>0xC0 0xAF</c>), and it is <c>GetString()</c>, <c>JsonProperty.Name</c> and
/// <c>GetRawText()</c> that then throw <see cref="InvalidOperationException"/>, past every endpoint's checks: a 500 and a
/// logged stack trace, for anyone holding an ingestion key. Once <see cref="Parse"/> has returned a document, none of
/// them can throw on it, and each bad string is answered with a 400 that names it.
/// </para>
/// <para>
/// NUL (<c>\u0000</c>) is refused too: none of the API's fields has a use for it, PostgreSQL's <c>text</c> cannot hold
/// it, and C strings end at it. A field given twice is refused rather than the last one silently winning, since another
/// JSON reader in front of the host (a gateway, a WAF) may take the first.
/// </para>
/// <para>
/// Fields are named as the endpoints name them (<c>eventTypes[1]</c>, <c>[0].properties.version</c>); a name that is
/// not text is shown as written, its escapes as they came and its bad bytes as U+FFFD.
/// </para>
/// </remarks>
internal static class RequestJson
{
    /// <summary>
    /// The most errors a 400 lists. A 64 KB body can hold thousands of bad strings or fields; the answer should not be
    /// many times the size of the question.
    /// </summary>
    public const int MaxErrors = 50;

    // The longest field name an error repeats, in UTF-16 units, as JsonBody.RejectUnknown has always cut them.
    private const int MaxNameLength = 50;

    private const string NotUtf8 = "bytes that are not UTF-8";
    private const string HalfPair = "half of a UTF-16 surrogate pair (\\ud800 to \\udfff come in pairs, high then low)";
    private const string Nul = "a NUL character (\\u0000)";

    /// <summary>
    /// Parses <paramref name="body"/>, or adds to <paramref name="errors"/> why not (<c>body</c> for the syntax, else
    /// the path of each bad string or field) and returns <see langword="null"/>.
    /// </summary>
    public static JsonDocument? Parse(ReadOnlyMemory<byte> body, int maxDepth, Dictionary<string, string[]> errors)
    {
        try
        {
            return Check(body.Span, maxDepth, errors)
                ? JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxDepth })
                : null;
        }
        catch (JsonException ex)
        {
            errors["body"] = [$"The body is not valid JSON: {ex.Message}"];
            return null;
        }
    }

    /// <summary>
    /// Reads the body token by token, as the document will hold it, keeping the path to the current value. Stops at
    /// <see cref="MaxErrors"/>; the syntax is left to <see cref="JsonDocument"/> when the text is sound.
    /// </summary>
    private static bool Check(ReadOnlySpan<byte> body, int maxDepth, Dictionary<string, string[]> errors)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = maxDepth });
        var path = new List<Frame>();
        int before = errors.Count;
        while (errors.Count < MaxErrors && reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var frame = path[^1];
                    if (Decode(ref reader, out var problem) is not { } name)
                    {
                        frame.Name = Shown(ref reader);
                        errors.TryAdd(PathOf(path), [$"is not a valid field name: it holds {problem}."]);
                    }
                    else
                    {
                        frame.Name = TextLimit.Truncate(name, MaxNameLength);
                        if (!(frame.Names ??= new(StringComparer.Ordinal)).Add(name))
                        {
                            errors.TryAdd(PathOf(path), ["is given more than once; give each field once."]);
                        }
                    }

                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    Advance(path);
                    path.Add(new Frame { IsArray = reader.TokenType == JsonTokenType.StartArray });
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    path.RemoveAt(path.Count - 1);
                    break;
                case JsonTokenType.String:
                    Advance(path);
                    if (Decode(ref reader, out var valueProblem) is null)
                    {
                        errors.TryAdd(PathOf(path), [$"is not text: it holds {valueProblem}."]);
                    }

                    break;
                default:
                    Advance(path);
                    break;
            }
        }

        return errors.Count == before;
    }

    /// <summary>
    /// The string or name under the reader, or <see langword="null"/> with what is wrong with it. Checked first without
    /// throwing, since a hostile body can hold thousands; the decoding itself has the last word.
    /// </summary>
    private static string? Decode(ref Utf8JsonReader reader, out string? problem)
    {
        problem = Problem(Raw(ref reader), reader.ValueIsEscaped);
        if (problem is not null)
        {
            return null;
        }

        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            problem = NotUtf8;
            return null;
        }
    }

    /// <summary>What keeps a string's raw bytes, as the reader gives them (escapes included), from being text, if anything.</summary>
    private static string? Problem(ReadOnlySpan<byte> raw, bool escaped)
    {
        if (!Utf8.IsValid(raw))
        {
            return NotUtf8;
        }

        // The reader has checked each escape's syntax: a backslash, then one of "\/bfnrt, or u and four hex digits.
        var rest = escaped ? raw : [];
        while (rest.IndexOf((byte)'\\') is var at and >= 0)
        {
            rest = rest[at..];
            if (rest[1] != (byte)'u')
            {
                rest = rest[2..];
                continue;
            }

            var unit = Hex(rest.Slice(2, 4));
            if (unit == '\0')
            {
                return Nul;
            }

            if (char.IsLowSurrogate(unit))
            {
                return HalfPair;
            }

            if (char.IsHighSurrogate(unit))
            {
                if (rest.Length < 12 || rest[6] != (byte)'\\' || rest[7] != (byte)'u' || !char.IsLowSurrogate(Hex(rest.Slice(8, 4))))
                {
                    return HalfPair;
                }

                rest = rest[12..];
                continue;
            }

            rest = rest[6..];
        }

        return null;
    }

    private static char Hex(ReadOnlySpan<byte> digits)
    {
        int value = 0;
        foreach (var digit in digits)
        {
            value = (value << 4) | (digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10);
        }

        return (char)value;
    }

    /// <summary>A name that is not text, as it was written: escapes as they came, bad bytes as U+FFFD.</summary>
    private static string Shown(ref Utf8JsonReader reader) =>
        TextLimit.Truncate(Encoding.UTF8.GetString(Raw(ref reader)), MaxNameLength);

    // A body is one buffer, so a token is never split across segments; the sequence is handled all the same.
    private static ReadOnlySpan<byte> Raw(ref Utf8JsonReader reader) =>
        reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;

    private static void Advance(List<Frame> path)
    {
        if (path.Count > 0 && path[^1].IsArray)
        {
            path[^1].Index++;
        }
    }

    /// <summary>The path of the current value as the endpoints name fields: <c>eventTypes[1]</c>, <c>[0].name</c>; the root is <c>body</c>.</summary>
    private static string PathOf(List<Frame> path)
    {
        var text = new StringBuilder();
        foreach (var frame in path)
        {
            if (frame.IsArray)
            {
                text.Append('[').Append(frame.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                text.Append(text.Length > 0 ? "." : string.Empty).Append(frame.Name);
            }
        }

        return text.Length > 0 ? text.ToString() : "body";
    }

    /// <summary>An object or array being read: where in it the reader is, and (objects) the names seen so far.</summary>
    private sealed class Frame
    {
        public bool IsArray { get; init; }

        public int Index { get; set; } = -1;

        public string? Name { get; set; }

        public HashSet<string>? Names { get; set; }
    }
}
