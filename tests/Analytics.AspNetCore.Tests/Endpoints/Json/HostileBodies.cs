using System.Text;
using System.Text.Json.Nodes;

namespace Analytics.AspNetCore.Tests.Endpoints.Json;

/// <summary>One body an endpoint that reads JSON must refuse, and the status it must refuse it with.</summary>
/// <param name="Name">What is wrong with it, to say which one failed.</param>
/// <param name="Body">The bytes sent.</param>
/// <param name="ContentType">The Content-Type header, or <see langword="null"/> for none.</param>
/// <param name="Expected">400, 413 (over the size limit) or 415 (not JSON).</param>
/// <param name="Chunked">Sent without a Content-Length.</param>
internal sealed record HostileBody(string Name, byte[] Body, string? ContentType, int Expected, bool Chunked = false)
{
    public override string ToString()
    {
        var start = Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 100)));
        return $"{Name} ({Body.Length} bytes, {ContentType ?? "no content type"}{(Chunked ? ", chunked" : "")}): {start}";
    }
}

/// <summary>
/// The hostile bodies thrown at every endpoint that takes one: a fixed corpus with each class of malformed input at
/// least once, and variants made from valid bodies by a seeded <see cref="Random"/>, so that a failure is reproduced by
/// running the test again. Every body here is one no endpoint may accept: each holds text that is not text, a field
/// given twice, too much nesting, broken syntax, or a wrong type where the endpoint reads a field.
/// </summary>
internal static class HostileBodies
{
    public const string Json = "application/json";

    // 64 KB, EventIngestion.MaxBodyBytes: variants stay under it so that they reach the parser.
    private const int MaxBody = 64 * 1024;
    private const string Marker = "ZZHOSTILEZZ";
    private const string DuplicateMarker = "ZZDUPLICATEZZ";

    /// <summary>The valid bodies the variants are made from, by the name of the endpoint that takes each.</summary>
    public static readonly Dictionary<string, string[]> Shapes = new(StringComparer.Ordinal)
    {
        ["PostAnalyticsEvents"] =
        [
            """{"name":"deploy","userId":"ci","success":true,"duration":12.5,"properties":{"version":"1.2.3","tags":["a","b"],"nested":{"k":"v"}}}""",
            """[{"name":"signup"},{"name":"deploy","success":false,"properties":{"region":"eu"}}]""",
        ],
        ["CreateAnalyticsWebhook"] =
        [
            """{"url":"https://hooks.example.com/a","eventTypes":["webhook.test","event.tracked"],"eventNames":["deploy"],"enabled":true,"secret":"whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"}""",
        ],
        ["UpdateAnalyticsWebhook"] =
        [
            """{"url":"https://hooks.example.com/b","eventTypes":["alert.triggered"],"eventNames":[],"enabled":true}""",
        ],
        ["AddAnalyticsWebhookSecret"] = ["""{"secret":"whsec_GBkaGxwdHh8gISIjJCUmJygpKissLS4v"}"""],
        ["TestAnalyticsWebhook"] = ["{}"],
        ["CreateAnalyticsAlert"] =
        [
            """{"name":"Slow checkout","metric":"p99","route":"/checkout","method":"post","window":"15m","operator":">=","threshold":800,"enabled":true}""",
            """{"name":"Deploys","metric":"eventCount","eventName":"deploy","window":"1h","threshold":3}""",
        ],
        ["UpdateAnalyticsAlert"] = ["""{"name":"Errors","metric":"errorRate","window":"5m","operator":">","threshold":0.05}"""],
    };

    /// <summary>
    /// The string contents (between the quotes, as sent) that are not text: half a surrogate pair in every position,
    /// NUL, and bytes that are not UTF-8 (stray, truncated, overlong, surrogates, past U+10FFFF).
    /// </summary>
    private static readonly (string Name, byte[] Bytes)[] BadText =
    [
        ("lone high surrogate", A("\\ud800")),
        ("lone high surrogate (upper case)", A("\\uDBFF")),
        ("lone low surrogate", A("\\udc00")),
        ("lone low surrogate at the end", A("ok\\udfff")),
        ("reversed pair", A("\\udc00\\ud800")),
        ("two high surrogates", A("\\ud83d\\ud83d")),
        ("high surrogate before a letter", A("\\ud83dx")),
        ("high surrogate before another escape", A("\\ud83d\\n")),
        ("high surrogate before an escaped letter", A("\\ud83d\\u0041")),
        ("high surrogate before a raw emoji", [.. A("\\ud83d"), 0xF0, 0x9F, 0x98, 0x80]),
        ("escaped NUL", A("a\\u0000b")),
        ("stray 0xFF", [0x61, 0xFF, 0x62]),
        ("stray 0xFE", [0xFE]),
        ("lone continuation byte", [0x80]),
        ("truncated two-byte sequence", [0x61, 0xC3]),
        ("truncated three-byte sequence", [0xE2, 0x82]),
        ("truncated four-byte sequence", [0xF0, 0x9F, 0x98]),
        ("overlong NUL", [0xC0, 0x80]),
        ("overlong slash", [0x2E, 0x2E, 0xC0, 0xAF]),
        ("overlong three-byte slash", [0xE0, 0x80, 0xAF]),
        ("overlong four-byte slash", [0xF0, 0x80, 0x80, 0xAF]),
        ("overlong C1", [0xC1, 0xBF]),
        ("UTF-8 encoded high surrogate", [0xED, 0xA0, 0x80]),
        ("UTF-8 encoded low surrogate", [0xED, 0xBF, 0xBF]),
        ("past U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ("five-byte sequence", [0xF8, 0x88, 0x80, 0x80, 0x80]),
        ("valid emoji then a lone low surrogate", [0xF0, 0x9F, 0x98, 0x80, .. A("\\udc00")]),
    ];

    // Field names of every endpoint, so that a fixed body reaches the code that reads each field.
    private static readonly string[] Fields =
        ["name", "url", "secret", "metric", "userId", "route", "eventName", "window", "operator", "method", "timestamp"];

    /// <summary>The fixed corpus; the empty body only where a body is required (elsewhere it means "nothing").</summary>
    public static IEnumerable<HostileBody> Fixed(bool bodyOptional)
    {
        for (var i = 0; i < BadText.Length; i++)
        {
            var (name, bytes) = BadText[i];
            var field = Fields[i % Fields.Length];
            yield return new($"{name} in the value of {field}", [.. A($"{{\"{field}\":\""), .. bytes, .. A("\"}")], Json, 400);
            yield return new($"{name} in a field name", [.. A("{\""), .. bytes, .. A("\":1}")], Json, 400);
            yield return new($"{name} in an array item", [.. A("{\"eventTypes\":[\"webhook.test\",\""), .. bytes, .. A("\"]}")], Json, 400);
            yield return new($"{name} as the whole body", [.. A("\""), .. bytes, .. A("\"")], Json, 400);
        }

        if (!bodyOptional)
        {
            yield return new("empty body", [], Json, 400);
        }

        yield return new("whitespace only", A(" \r\n\t "), Json, 400);
        yield return new("null", A("null"), Json, 400);
        yield return new("a number", A("42"), Json, 400);
        yield return new("raw NUL in a string", [.. A("{\"name\":\"a"), 0x00, .. A("b\"}")], Json, 400);
        yield return new("raw NUL after the body", [.. A("{}"), 0x00], Json, 400);
        yield return new("raw tab in a field name", [.. A("{\"na"), 0x09, .. A("me\":\"a\"}")], Json, 400);
        yield return new("10 000 nested arrays", A(new string('[', 10_000) + new string(']', 10_000)), Json, 400);
        yield return new("10 000 unclosed arrays", A(new string('[', 10_000)), Json, 400);
        yield return new("5 000 nested objects", A(string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000)), Json, 400);
        yield return new("nesting in a field", A("{\"name\":" + new string('[', 10_000) + new string(']', 10_000) + "}"), Json, 400);
        yield return new("a huge array", A("[" + string.Join(',', Enumerable.Repeat('0', 30_000)) + "]"), Json, 400);
        yield return new("a huge array in a field", A("{\"eventTypes\":[" + string.Join(',', Enumerable.Repeat('0', 30_000)) + "]}"), Json, 400);
        yield return new("a huge object", A("{" + string.Join(',', Enumerable.Range(0, 6_000).Select(i => $"\"f{i}\":0")) + "}"), Json, 400);
        yield return new("every field a number", A("{" + string.Join(',', Fields.Select(f => $"\"{f}\":7")) + "}"), Json, 400);
        yield return new("every field an object", A("{" + string.Join(',', Fields.Select(f => $"\"{f}\":{{}}")) + "}"), Json, 400);
        yield return new("a field given twice", A("{\"name\":\"a\",\"name\":\"b\"}"), Json, 400);
        yield return new("a field given twice, once escaped", A("{\"secret\":\"whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX\",\"\\u0073ecret\":null}"), Json, 400);
        yield return new("two objects", A("{}{}"), Json, 400);
        yield return new("trailing garbage", A("{\"name\":\"a\"} x"), Json, 400);
        yield return new("a closing bracket too many", A("{}]"), Json, 400);
        yield return new("a trailing comma", A("{\"name\":\"a\",}"), Json, 400);
        yield return new("a comment", A("{/* hi */}"), Json, 400);
        yield return new("single quotes", A("{'name':'a'}"), Json, 400);
        yield return new("NaN", A("{\"threshold\":NaN}"), Json, 400);
        yield return new("a bad escape", A("{\"name\":\"\\x41\"}"), Json, 400);
        yield return new("a short unicode escape", A("{\"name\":\"\\u12\"}"), Json, 400);
        yield return new("UTF-16 text", Encoding.Unicode.GetBytes("{\"name\":\"a\"}"), "application/json; charset=utf-16", 400);
        yield return new("plain text", A("{}"), "text/plain", 415);
        yield return new("a form", A("name=a"), "application/x-www-form-urlencoded", 415);
        yield return new("multipart", A("--x\r\n\r\n{}\r\n--x--"), "multipart/form-data; boundary=x", 415);
        yield return new("XML", A("<name>a</name>"), "application/xml", 415);
        yield return new("no content type", A("{}"), null, 415);
        yield return new("a broken content type", A("{}"), "application/json; charset=\"", 415);
        var oversized = A("{\"name\":\"" + new string('a', MaxBody + 10) + "\"}");
        yield return new("over the size limit", oversized, Json, 413);
        yield return new("over the size limit, chunked", oversized, Json, 413, Chunked: true);
    }

    /// <summary>
    /// <paramref name="count"/> variants of <paramref name="shapes"/>, each broken in one of the ways of the fixed
    /// corpus at a place the <see cref="Random"/> seeded with <paramref name="seed"/> picks.
    /// </summary>
    public static IEnumerable<HostileBody> Variants(int seed, int count, IReadOnlyList<string> shapes)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var shape = shapes[random.Next(shapes.Count)];
            var (name, body) = Mutate(random, shape);
            yield return new($"variant {i} of seed {seed}: {name}", body, Json, 400);
        }
    }

    private static (string Name, byte[] Body) Mutate(Random random, string shape)
    {
        var root = JsonNode.Parse(shape)!;
        var strings = Walk(root).Where(n => n.Node is JsonValue v && v.TryGetValue<string>(out _)).ToList();
        var names = Walk(root).Where(n => n.Parent is JsonObject).ToList();
        var topLevel = TopLevelFields(root);
        switch (random.Next(10))
        {
            case 0 or 1 when strings.Count > 0:
                {
                    var (text, bytes) = BadText[random.Next(BadText.Length)];
                    var target = strings[random.Next(strings.Count)];
                    var (path, value) = (target.Node!.GetPath(), target.Node.GetValue<string>());
                    var cut = random.Next(value.Length + 1);
                    Set(target, JsonValue.Create(value[..cut] + Marker + value[cut..]));
                    return ($"{text} in the string at {path}", Replace(A(root.ToJsonString()), A(Marker), bytes));
                }

            case 2 or 3 when names.Count > 0:
                {
                    var (text, bytes) = BadText[random.Next(BadText.Length)];
                    var target = names[random.Next(names.Count)];
                    var (parent, key, value) = ((JsonObject)target.Parent!, target.Key!, target.Node);
                    parent.Remove(key);
                    parent[key[..(key.Length / 2)] + Marker + key[(key.Length / 2)..]] = value;
                    return ($"{text} in the field name {key}", Replace(A(root.ToJsonString()), A(Marker), bytes));
                }

            case 4 when names.Count > 0:
                {
                    var target = names[random.Next(names.Count)];
                    var parent = (JsonObject)target.Parent!;
                    parent[DuplicateMarker] = random.Next(2) == 0 ? target.Node?.DeepClone() : JsonValue.Create("other");
                    return ($"{target.Key} given twice", Replace(A(root.ToJsonString()), A(DuplicateMarker), A(target.Key!)));
                }

            case 5 when topLevel.Count > 0:
                {
                    var target = topLevel[random.Next(topLevel.Count)];
                    var wrong = WrongTypeFor(random, target.Node);
                    Set(target, JsonValue.Create(Marker));
                    return ($"{target.Key} as {wrong}", Replace(A(root.ToJsonString()), A($"\"{Marker}\""), A(wrong)));
                }

            case 6:
                {
                    // Deeper than any endpoint allows (16 for events) wherever it is put, and within the size limit.
                    var all = Walk(root).ToList();
                    var target = all[random.Next(all.Count)];
                    var depth = random.Next(80, 10_000);
                    var nest = random.Next(2) == 0
                        ? new string('[', depth) + new string(']', depth)
                        : string.Concat(Enumerable.Repeat("{\"a\":", depth / 4)) + "0" + new string('}', depth / 4);
                    if (target.Parent is null)
                    {
                        return ($"{depth} deep", A(nest));
                    }

                    var path = target.Node?.GetPath() ?? "a null";
                    Set(target, JsonValue.Create(Marker));
                    return ($"{depth} deep at {path}", Replace(A(root.ToJsonString()), A($"\"{Marker}\""), A(nest)));
                }

            case 7 when topLevel.Count > 0:
                {
                    var target = topLevel[random.Next(topLevel.Count)];
                    var size = random.Next(1_000, 25_000);
                    Set(target, JsonValue.Create(Marker));
                    var huge = "[" + string.Join(',', Enumerable.Repeat(random.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture), size)) + "]";
                    return ($"{target.Key} as {size} numbers", Replace(A(root.ToJsonString()), A($"\"{Marker}\""), A(huge)));
                }

            case 8:
                {
                    var body = A(root.ToJsonString());
                    var at = random.Next(1, body.Length);
                    return ($"cut at byte {at}", body[..at]);
                }

            default:
                {
                    var body = A(root.ToJsonString());
                    if (random.Next(2) == 0)
                    {
                        byte[][] garbage = [A(" x"), A("}"), A("]"), A(","), A("{}"), A("\"\""), [0x00], A("/**/"), A("//"), A("0"), [0xEF, 0xBB, 0xBF]];
                        var tail = garbage[random.Next(garbage.Length)];
                        return ($"{Encoding.UTF8.GetString(tail)} after the body", [.. body, .. tail]);
                    }

                    // A byte that is never UTF-8, anywhere: inside a string it is bad text, outside it is bad syntax.
                    var position = random.Next(body.Length + 1);
                    byte[] never = [0xFF, 0xFE, 0xC0, 0xC1, 0xF5, 0x80];
                    var insert = never[random.Next(never.Length)];
                    return ($"0x{insert:X2} at byte {position}", [.. body[..position], insert, .. body[position..]]);
                }
        }
    }

    /// <summary>A JSON value of another kind than <paramref name="node"/>, never null (which means "absent").</summary>
    private static string WrongTypeFor(Random random, JsonNode? node)
    {
        string[] kinds = node switch
        {
            JsonObject => ["[]", "\"x\"", "7", "true"],
            JsonArray => ["{}", "\"x\"", "7", "false"],
            JsonValue v when v.TryGetValue<string>(out _) => ["7", "-1.5e3", "true", "[]", "{}", "[\"x\"]"],
            JsonValue v when v.TryGetValue<bool>(out _) => ["\"true\"", "1", "[]", "{}"],
            _ => ["\"7\"", "true", "[7]", "{}"],
        };
        return kinds[random.Next(kinds.Length)];
    }

    /// <summary>The fields an endpoint reads itself: those of the root object, or of each object in a root array.</summary>
    private static List<Place> TopLevelFields(JsonNode root) =>
        root switch
        {
            JsonObject o => [.. o.Select(p => new Place(o, p.Key, -1, p.Value))],
            JsonArray a => [.. a.OfType<JsonObject>().SelectMany(o => o.Select(p => new Place(o, p.Key, -1, p.Value)))],
            _ => [],
        };

    /// <summary>Every node but the root's own place is listed with its parent; the root comes first, without one.</summary>
    private static IEnumerable<Place> Walk(JsonNode root)
    {
        var pending = new Stack<Place>();
        pending.Push(new Place(null, null, -1, root));
        while (pending.TryPop(out var place))
        {
            yield return place;
            switch (place.Node)
            {
                case JsonObject o:
                    foreach (var property in o.ToList())
                    {
                        pending.Push(new Place(o, property.Key, -1, property.Value));
                    }

                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        pending.Push(new Place(a, null, i, a[i]));
                    }

                    break;
            }
        }
    }

    private static void Set(Place place, JsonNode value)
    {
        if (place.Parent is JsonObject o)
        {
            o[place.Key!] = value;
        }
        else if (place.Parent is JsonArray a)
        {
            a[place.Index] = value;
        }
    }

    private static byte[] Replace(byte[] body, byte[] marker, byte[] with)
    {
        var at = body.AsSpan().IndexOf(marker);
        return at < 0 ? throw new InvalidOperationException("The marker is missing.") : [.. body[..at], .. with, .. body[(at + marker.Length)..]];
    }

    private static byte[] A(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Where a node sits: in an object under a key, or in an array at an index (the root has no parent).</summary>
    private sealed record Place(JsonNode? Parent, string? Key, int Index, JsonNode? Node);
}
