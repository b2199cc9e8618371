using Analytics.Queries;

namespace Analytics.Tests.Queries;

public sealed class StatusFilterTests
{
    [Theory]
    [InlineData("500", 500, 500)]
    [InlineData("5xx", 500, 599)]
    [InlineData("4XX", 400, 499)]
    [InlineData(" 404 ", 404, 404)]
    [InlineData("1xx", 100, 199)]
    public void StatusFiltersParseCodesAndClasses(string text, int min, int max)
    {
        Assert.True(StatusFilter.TryParse(text.Trim(), out var filter));
        Assert.Equal(new StatusFilter(min, max), filter);
    }
}
