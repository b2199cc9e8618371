using System.Globalization;

namespace Analytics.Storage;

/// <summary>
/// Groups failed requests: an exception by its type and the top frames of the app's own code (not the framework's, not
/// this library's), so one bug is one group whatever its message or path; a failure without an exception by its
/// status, method and route. Line numbers and file paths are left out, so a group survives unrelated edits.
/// </summary>
internal static partial class ErrorFingerprints
{
    /// <summary>How many of the app's frames, from the throwing one outwards, identify an exception.</summary>
    internal const int Frames = 3;

    private static readonly string[] FrameworkPrefixes = ["System.", "Microsoft.", "Analytics.AspNetCore.", "Polly.", "lambda_method"];

    /// <summary>Gets the fingerprint of a failed request: 16 lower-case hex digits.</summary>
    /// <remarks>An exception recorded without frames (not by the middleware) stands in with its method and route.</remarks>
    public static string Compute(in RequestRecord request)
    {
        if (request.ExceptionType is { } type && TopFrames(request.StackTrace).ToList() is { Count: > 0 } frames)
        {
            return Hash(type + "\n" + string.Join("\n", frames));
        }

        return Hash(string.Create(CultureInfo.InvariantCulture, $"{request.StatusCode} {request.Method} {request.Route} {request.ExceptionType}"));
    }

    /// <summary>Whether a text is a fingerprint as <see cref="Compute"/> writes them.</summary>
    public static bool IsValid(string? value) =>
        value is { Length: 16 } && value.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>The default of <see cref="RequestAnalyticsOptions.ClassifyError"/>.</summary>
    public static ErrorSeverity DefaultSeverity(RequestRecord request) =>
        request.ExceptionType is not null ? ErrorSeverity.High : ErrorSeverity.Medium;

    /// <summary>The app's top frames of a stack trace (the framework's when it has none), without file and line.</summary>
    internal static IEnumerable<string> TopFrames(string? stackTrace)
    {
        if (string.IsNullOrEmpty(stackTrace))
        {
            return [];
        }

        var frames = new List<string>();
        foreach (var line in stackTrace.Split('\n'))
        {
            var text = line.Trim();
            if (!text.StartsWith("at ", StringComparison.Ordinal))
            {
                if (frames.Count > 0 && !text.StartsWith("---", StringComparison.Ordinal))
                {
                    break; // the next exception's header (an inner exception): only the outer one's frames count
                }

                continue;
            }

            text = text[3..];
            int file = text.IndexOf(" in ", StringComparison.Ordinal);
            frames.Add(LambdaNumber().Replace(file >= 0 ? text[..file] : text, "lambda_method"));
        }

        var own = frames.Where(f => !FrameworkPrefixes.Any(p => f.StartsWith(p, StringComparison.Ordinal))).Take(Frames).ToList();
        return own.Count > 0 ? own : frames.Take(Frames);
    }

    /// <summary>Compiled delegates (minimal APIs' <c>lambda_method12</c>) are numbered per process: the number is left out.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"lambda_method\d+", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex LambdaNumber();

    private static string Hash(string text) => StableHash.Hash64(text).ToString("x16", CultureInfo.InvariantCulture);
}
