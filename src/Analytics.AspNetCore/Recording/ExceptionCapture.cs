using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Analytics.AspNetCore;

/// <summary>
/// What is kept of an exception the pipeline threw: its message and a stack trace, both sanitized. The trace is built
/// from the exception types and frames only (never <see cref="Exception.ToString"/>, which carries messages); then,
/// in both, every query-string value, cookie and header value of the request (bar plainly harmless headers) and
/// anything shaped like a query string is replaced, because apps put such things into exception messages. Runs on
/// the failing request only.
/// </summary>
internal static partial class ExceptionCapture
{
    internal const int MaxStackTraceLength = 4_000;
    internal const string Redacted = "[redacted]";
    private const int MaxDepth = 5;
    private const int MinQueryValueLength = 4;
    private const int MinHeaderTokenLength = 6;

    private static readonly FrozenSet<string> PlainHeaders = new[]
    {
        HeaderNames.Host, HeaderNames.Accept, HeaderNames.AcceptEncoding, HeaderNames.AcceptLanguage, HeaderNames.Connection,
        HeaderNames.ContentLength, HeaderNames.ContentType, HeaderNames.CacheControl, HeaderNames.Pragma, HeaderNames.UserAgent,
        HeaderNames.TE, HeaderNames.Upgrade,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static string StackTrace(Exception error, HttpRequest request)
    {
        var text = new StringBuilder();
        var current = error;
        for (int depth = 0; current is not null && depth < MaxDepth; depth++, current = current.InnerException)
        {
            text.Append(depth == 0 ? "" : "Caused by: ").Append(current.GetType().FullName).Append('\n');
            if (current.StackTrace is { } frames)
            {
                text.Append(frames).Append('\n');
            }
        }

        var scrubbed = Scrub(text.ToString(), request);
        return TextLimit.Truncate(scrubbed, MaxStackTraceLength);
    }

    public static string? Message(Exception error, HttpRequest request, int maxLength)
    {
        if (string.IsNullOrEmpty(error.Message))
        {
            return null;
        }

        var scrubbed = Scrub(error.Message, request);
        return TextLimit.Truncate(scrubbed, maxLength);
    }

    internal static string Scrub(string text, HttpRequest request)
    {
        var secrets = new List<string>();
        if (request.QueryString.Value is { Length: > 1 } query)
        {
            secrets.Add(query[1..]);
        }

        foreach (var (_, values) in request.Query)
        {
            foreach (var value in values)
            {
                AddSecret(secrets, value, MinQueryValueLength);
            }
        }

        foreach (var (name, values) in request.Headers)
        {
            if (PlainHeaders.Contains(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                AddSecret(secrets, value, MinHeaderTokenLength);
                foreach (var token in (value ?? "").Split(
                    [' ', ';', ',', '='], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    AddSecret(secrets, token, MinHeaderTokenLength);
                }
            }
        }

        foreach (var (_, value) in request.Cookies)
        {
            AddSecret(secrets, value, MinQueryValueLength);
        }

        // Longest first, so a whole value goes before a token inside it.
        foreach (var secret in secrets.OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, Redacted, StringComparison.Ordinal);
        }

        return QueryLike().Replace(text, "?" + Redacted);
    }

    private static void AddSecret(List<string> secrets, string? value, int minLength)
    {
        if (value is not null && value.Length >= minLength)
        {
            secrets.Add(value);
            var decoded = Uri.UnescapeDataString(value);
            if (decoded != value)
            {
                secrets.Add(decoded);
            }
        }
    }

    /// <summary>A query string inside text: <c>?name=value</c> and whatever follows up to white space or a quote.</summary>
    [GeneratedRegex("""\?[^\s'"?=&]+=[^\s'"]*""", RegexOptions.CultureInvariant)]
    private static partial Regex QueryLike();
}
