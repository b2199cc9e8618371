using Analytics.Storage;
using Analytics.Testing.Conformance;

namespace Analytics.Tests.Errors;

public sealed class ErrorFingerprintsTests
{
    private const string Trace = """
        System.InvalidOperationException
           at Shop.Orders.Checkout(Int32 id) in /src/Orders.cs:line 42
           at Shop.Orders.<>c.<Map>b__0_1(HttpContext context) in /src/Orders.cs:line 12
        --- End of stack trace from previous location ---
           at Microsoft.AspNetCore.Http.RequestDelegateFactory.ExecuteTaskResult[T](Task`1 task, HttpContext httpContext)
           at Analytics.AspNetCore.RequestAnalyticsMiddleware.InvokeAsync(HttpContext context)
           at Shop.Program.Main()
        Caused by: System.FormatException
           at System.Number.ThrowFormatException()
           at Shop.Parsing.Parse(String text) in /src/Parsing.cs:line 7
        """;

    [Fact]
    public void TheTopFramesAreTheAppsOwnWithoutFilesOrLines()
    {
        Assert.Equal(
            ["Shop.Orders.Checkout(Int32 id)", "Shop.Orders.<>c.<Map>b__0_1(HttpContext context)", "Shop.Program.Main()"],
            ErrorFingerprints.TopFrames(Trace));
    }

    [Fact]
    public void AFrameworkOnlyTraceUsesTheFrameworksTopFrames()
    {
        var frames = ErrorFingerprints.TopFrames("System.Exception\n   at System.A.B()\n   at Microsoft.C.D()\n   at System.E.F()\n   at System.G.H()\n");

        Assert.Equal(["System.A.B()", "Microsoft.C.D()", "System.E.F()"], frames);
    }

    [Fact]
    public void OneBugIsOneGroupWhateverItsMessagePathOrLineNumbers()
    {
        var a = Failure(Trace) with { ExceptionMessage = "order 1 failed", Path = "/orders/1" };
        var b = Failure(Trace.Replace("line 42", "line 57", StringComparison.Ordinal)) with { ExceptionMessage = "order 2 failed", Path = "/orders/2", Route = "/other" };
        var otherFrame = Failure(Trace.Replace("Checkout", "Refund", StringComparison.Ordinal));
        var otherType = Failure(Trace) with { ExceptionType = "System.ArgumentException" };

        Assert.Equal(ErrorFingerprints.Compute(a), ErrorFingerprints.Compute(b));
        Assert.NotEqual(ErrorFingerprints.Compute(a), ErrorFingerprints.Compute(otherFrame));
        Assert.NotEqual(ErrorFingerprints.Compute(a), ErrorFingerprints.Compute(otherType));
        Assert.True(ErrorFingerprints.IsValid(ErrorFingerprints.Compute(a)));
    }

    [Fact]
    public void FailuresWithoutAnExceptionGroupByStatusMethodAndRoute()
    {
        var a = TestData.Request(TestData.Start, status: 503);
        var b = TestData.Request(TestData.Start.AddHours(1), status: 503) with { Path = "/items/2" };

        Assert.Equal(ErrorFingerprints.Compute(a), ErrorFingerprints.Compute(b));
        Assert.NotEqual(ErrorFingerprints.Compute(a), ErrorFingerprints.Compute(a with { StatusCode = 502 }));
        Assert.NotEqual(ErrorFingerprints.Compute(a), ErrorFingerprints.Compute(a with { Route = "/orders/{id}" }));
    }

    [Fact]
    public void CompiledDelegateNumbersDoNotChangeTheGroup()
    {
        // Release builds can inline a minimal API's lambda into the compiled delegate, whose number changes per process.
        const string Trace = "System.InvalidOperationException\n   at lambda_method6(Closure, Object, HttpContext)\n   at Analytics.AspNetCore.RequestAnalyticsMiddleware.InvokeAsync(HttpContext context)\n";

        Assert.Equal(
            ErrorFingerprints.Compute(Failure(Trace)),
            ErrorFingerprints.Compute(Failure(Trace.Replace("lambda_method6", "lambda_method41", StringComparison.Ordinal))));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0123456789abcdef", true)]
    [InlineData("0123456789ABCDEF", false)]
    [InlineData("0123456789abcde", false)]
    [InlineData("0123456789abcdefa", false)]
    [InlineData("0123456789abcdeg", false)]
    [InlineData("../../etc/passwd", false)]
    public void OnlySixteenLowerCaseHexDigitsAreAFingerprint(string? value, bool valid) =>
        Assert.Equal(valid, ErrorFingerprints.IsValid(value));

    [Fact]
    public void ABatchFillsInTheFingerprintOfEveryFailureAndOnlyOfFailures()
    {
        var batch = TestData.Batch([Failure(Trace), TestData.Request(TestData.Start), TestData.Request(TestData.Start, status: 500)]);

        Assert.NotNull(batch.Requests[0].ErrorFingerprint);
        Assert.Null(batch.Requests[1].ErrorFingerprint);
        Assert.NotNull(batch.Requests[2].ErrorFingerprint);
        Assert.Equal(
            batch.Requests.Where(r => r.IsError).Select(r => r.ErrorFingerprint).Order(),
            batch.ErrorRollups.Where(r => r.Granularity == Granularity.Minute).Select(r => r.Fingerprint).Order());
    }

    private static RequestRecord Failure(string trace) =>
        TestData.Request(TestData.Start, status: 500, exceptionType: "System.InvalidOperationException") with { StackTrace = trace };
}
