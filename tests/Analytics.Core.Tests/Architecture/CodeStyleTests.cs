namespace Analytics.Tests.Architecture;

/// <summary>
/// The code is as <c>dotnet format</c> would leave it under the repository's .editorconfig. <c>./test.sh</c> runs
/// <c>dotnet format --verify-no-changes</c> once before the tests and passes its verdict in
/// <c>ANALYTICS_FORMAT_CHECK</c>; its output is in <c>TestResults/format.log</c>.
/// </summary>
public sealed class CodeStyleTests
{
    [Fact]
    public void TheSolutionIsFormattedAsTheEditorConfigSays()
    {
        var verdict = Environment.GetEnvironmentVariable("ANALYTICS_FORMAT_CHECK");
        Assert.True(
            verdict is not null,
            "ANALYTICS_FORMAT_CHECK is not set: run the tests through ./test.sh, which runs `dotnet format --verify-no-changes` first.");
        Assert.True(
            verdict == "passed",
            "`dotnet format Analytics.sln --verify-no-changes` found files to rewrite (see TestResults/format.log); run `dotnet format Analytics.sln`.");
    }
}
