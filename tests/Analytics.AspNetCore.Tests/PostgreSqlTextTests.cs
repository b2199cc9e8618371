using Analytics.PostgreSql;

namespace Analytics.AspNetCore.Tests;

/// <summary>Text PostgreSQL would refuse, with the whole batch that holds it, is stored with U+FFFD in its place.</summary>
public sealed class PostgreSqlTextTests
{
    private const char High = '\uD83D';
    private const char Low = '\uDE00';

    [Fact]
    public void NulAndHalvesOfSurrogatePairsAreReplacedAndWholePairsKept()
    {
        // Built from chars: lone surrogates do not survive a theory's serialized data.
        Assert.Equal("a\uFFFDb", PostgreSqlAnalyticsStore.Text("a\0b"));
        Assert.Equal($"pair {High}{Low} kept", PostgreSqlAnalyticsStore.Text($"pair {High}{Low} kept"));
        Assert.Equal("high \uFFFD alone", PostgreSqlAnalyticsStore.Text($"high {High} alone"));
        Assert.Equal("low \uFFFD alone", PostgreSqlAnalyticsStore.Text($"low {Low} alone"));
        Assert.Equal("ends high \uFFFD", PostgreSqlAnalyticsStore.Text($"ends high {High}"));
        Assert.Equal("\uFFFD\uFFFD reversed", PostgreSqlAnalyticsStore.Text($"{Low}{High} reversed"));
        Assert.Equal($"{High}{Low}\uFFFD\uFFFD", PostgreSqlAnalyticsStore.Text($"{High}{Low}{High}\0"));
    }

    [Fact]
    public void CleanTextIsTheSameInstance()
    {
        var value = $"/items/42 {High}{Low}";
        Assert.Same(value, PostgreSqlAnalyticsStore.Text(value));
        Assert.Null(PostgreSqlAnalyticsStore.Text(null));
    }
}
