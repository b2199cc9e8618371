using System.Text;
using System.Text.Json;
using Analytics.AspNetCore.Endpoints;

namespace Analytics.AspNetCore.Tests.Endpoints.Json;

public class RequestJsonTests
{
    /// <summary>Text a string can hold: pairs written either way, escapes of every kind, characters no one uses.</summary>
    [Theory]
    [InlineData("""{"a":"\ud83d\ude00"}""", "\U0001F600")]
    [InlineData("""{"a":"\uD83D\uDE00"}""", "\U0001F600")]
    [InlineData("""{"a":"😀"}""", "\U0001F600")]
    [InlineData("""{"a":"\\ud800"}""", "\\ud800")] // an escaped backslash, then letters
    [InlineData("""{"a":"\\u0000"}""", "\\u0000")]
    [InlineData("""{"a":"\u0001\uffff\ufffe\"\/\b\f\n\r\t"}""", "\u0001\uffff\ufffe\"/\b\f\n\r\t")]
    [InlineData("""{"a":"é\u00e9"}""", "éé")]
    public void TextIsAccepted(string json, string expected)
    {
        var errors = new Dictionary<string, string[]>();

        using var document = RequestJson.Parse(Encoding.UTF8.GetBytes(json), 8, errors);

        Assert.Empty(errors);
        Assert.Equal(expected, document!.RootElement.GetProperty("a").GetString());
    }

    public static TheoryData<byte[], string, string> NotText => new()
    {
        { A("""{"a":"\ud800"}"""), "a", "half of a UTF-16 surrogate pair" },
        { A("""{"a":"x\udc00"}"""), "a", "half of a UTF-16 surrogate pair" },
        { A("""{"a":"\udc00\ud800"}"""), "a", "half of a UTF-16 surrogate pair" },
        { A("""{"a":"\ud800\ud800"}"""), "a", "half of a UTF-16 surrogate pair" },
        { A("""{"a":"\ud800\\udc00"}"""), "a", "half of a UTF-16 surrogate pair" },
        { A("""{"a":"\ud800\u0041"}"""), "a", "half of a UTF-16 surrogate pair" },
        { A("""{"a":"a\u0000"}"""), "a", "NUL" },
        { [.. A("""{"a":"x"""), 0xFF, .. A("\"}")], "a", "not UTF-8" },
        { [.. A("""{"a":"x"""), 0xC0, 0xAF, .. A("\"}")], "a", "not UTF-8" },
        { [.. A("""{"a":"x"""), 0xED, 0xA0, 0x80, .. A("\"}")], "a", "not UTF-8" },
        { [.. A("""{"a":"x"""), 0xF4, 0x90, 0x80, 0x80, .. A("\"}")], "a", "not UTF-8" },
        { [.. A("""{"a":"x"""), 0xE2, 0x82, .. A("\"}")], "a", "not UTF-8" },
        { [.. A("{\"k"), 0xFF, .. A("\":1}")], "k\uFFFD", "not a valid field name" },
        { A("""{"k\udc00":1}"""), "k\\udc00", "not a valid field name" },
        { A("""{"a":{"b":[1,{"c":["x","\ud800"]}]}}"""), "a.b[1].c[1]", "half of a UTF-16 surrogate pair" },
        { A("""[{"name":"a"},{"name":"\udfff"}]"""), "[1].name", "half of a UTF-16 surrogate pair" },
        { A("\"\\ud800\""), "body", "half of a UTF-16 surrogate pair" },
        { A("""{"a":1,"b":2,"a":3}"""), "a", "more than once" },
        { A("""{"a":1,"\u0061":2}"""), "a", "more than once" },
        { A("""{"p":{"k":1,"k":1}}"""), "p.k", "more than once" },
        { A("""{"a":1}x"""), "body", "not valid JSON" },
        { A(new string('[', 9) + new string(']', 9)), "body", "not valid JSON" },
        { [], "body", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(NotText))]
    public void WhatIsNotTextIsNamed(byte[] body, string field, string message)
    {
        var errors = new Dictionary<string, string[]>();

        var document = RequestJson.Parse(body, 8, errors);

        Assert.Null(document);
        Assert.True(errors.TryGetValue(field, out var messages), $"no error for '{field}' in {JsonSerializer.Serialize(errors)}");
        Assert.Contains(message, Assert.Single(messages), StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectsInAnArrayEachHaveTheirOwnNames()
    {
        var errors = new Dictionary<string, string[]>();

        using var document = RequestJson.Parse(A("""[{"name":"a"},{"name":"b"}]"""), 8, errors);

        Assert.Empty(errors);
        Assert.NotNull(document);
    }

    [Fact]
    public void AtMost50ErrorsAreCollected()
    {
        var body = A("[" + string.Join(',', Enumerable.Repeat("\"\\ud800\"", 5_000)) + "]");
        var errors = new Dictionary<string, string[]>();

        Assert.Null(RequestJson.Parse(body, 8, errors));
        Assert.Equal(RequestJson.MaxErrors, errors.Count);
        Assert.Equal("[49]", errors.Keys.Last());
    }

    [Fact]
    public void ALongBadNameIsCutWithoutSplittingAPair()
    {
        var errors = new Dictionary<string, string[]>();

        RequestJson.Parse(A("{\"" + string.Concat(Enumerable.Repeat("\U0001F600", 40)) + "\\ud800\":1}"), 8, errors);

        Assert.Equal(string.Concat(Enumerable.Repeat("\U0001F600", 25)), Assert.Single(errors).Key);
    }

    private static byte[] A(string text) => Encoding.UTF8.GetBytes(text);
}
