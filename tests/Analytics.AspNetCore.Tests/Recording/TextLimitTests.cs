namespace Analytics.AspNetCore.Tests.Recording;

public sealed class TextLimitTests
{
    [Theory]
    [InlineData("plain", 3, "pla")]
    [InlineData("ab\U0001F600", 3, "ab")]
    [InlineData("ab\U0001F600", 4, "ab\U0001F600")]
    [InlineData("a\U0001F600b", 3, "a\U0001F600")]
    [InlineData("short", 10, "short")]
    public void TruncationNeverKeepsHalfASurrogatePair(string value, int max, string expected) =>
        Assert.Equal(expected, TextLimit.Truncate(value, max));
}
