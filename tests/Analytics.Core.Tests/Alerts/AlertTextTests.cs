using Analytics.Alerts;

namespace Analytics.Tests.Alerts;

public class AlertTextTests
{
    [Theory]
    [InlineData("1m", 1)]
    [InlineData("15m", 15)]
    [InlineData("2h", 120)]
    [InlineData("1d", 1440)]
    [InlineData("00:05:00", 5)]
    [InlineData(" 5m ", 5)]
    public void WindowsParse(string text, int minutes)
    {
        Assert.True(AlertText.TryParseWindow(text, out var window));
        Assert.Equal(TimeSpan.FromMinutes(minutes), window);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("5")]
    [InlineData("-5m")]
    [InlineData("5w")]
    [InlineData("1.5h")]
    [InlineData("99999999999m")]
    public void BadWindowsDoNotParse(string? text)
    {
        Assert.False(AlertText.TryParseWindow(text, out _));
    }

    [Theory]
    [InlineData(1, "1m")]
    [InlineData(90, "90m")]
    [InlineData(120, "2h")]
    [InlineData(1440, "1d")]
    public void WindowsFormatShort(int minutes, string text)
    {
        Assert.Equal(text, AlertText.Window(TimeSpan.FromMinutes(minutes)));
    }

    [Theory]
    [InlineData(">", AlertOperator.GreaterThan)]
    [InlineData(">=", AlertOperator.GreaterThanOrEqual)]
    [InlineData("lt", AlertOperator.LessThan)]
    [InlineData("lessThanOrEqual", AlertOperator.LessThanOrEqual)]
    public void OperatorsParse(string text, AlertOperator expected)
    {
        Assert.True(AlertText.TryParseOperator(text, out var op));
        Assert.Equal(expected, op);
    }

    [Theory]
    [InlineData("!=")]
    [InlineData("=")]
    [InlineData(null)]
    public void UnknownOperatorsDoNotParse(string? text)
    {
        Assert.False(AlertText.TryParseOperator(text, out _));
    }

    [Theory]
    [InlineData(AlertOperator.GreaterThan, 0.11, 0.1, true)]
    [InlineData(AlertOperator.GreaterThan, 0.1, 0.1, false)]
    [InlineData(AlertOperator.GreaterThanOrEqual, 0.1, 0.1, true)]
    [InlineData(AlertOperator.LessThan, 5, 10, true)]
    [InlineData(AlertOperator.LessThan, 10, 10, false)]
    [InlineData(AlertOperator.LessThanOrEqual, 10, 10, true)]
    public void OperatorsCompareAsWritten(AlertOperator op, double value, double threshold, bool crosses)
    {
        Assert.Equal(crosses, AlertEvaluator.Crosses(op, value, threshold));
    }
}
