using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// The group's RFC 9457 problems, written with the library's own JSON metadata. <c>TypedResults.Problem</c> serializes
/// through the host's <c>HttpJsonOptions</c>: a Native AOT host whose resolver is only its own JSON context (and that
/// did not call <c>AddProblemDetails()</c>) turned every 400 of ours into a 500. The shape is ASP.NET Core's own
/// (type, title, status, detail, errors, traceId); the host's <c>IProblemDetailsService</c> customizations do not apply.
/// </summary>
internal static class AnalyticsProblem
{
    /// <summary>A problem with <paramref name="statusCode"/>, a title and an optional detail.</summary>
    public static IResult Problem(int statusCode, string title, string? detail = null) =>
        new Result(new ProblemDetails { Status = statusCode, Title = title, Detail = detail });

    /// <summary>
    /// A 400 whose <c>errors</c> name each bad parameter or field, the first <see cref="RequestJson.MaxErrors"/> of them
    /// (a 64 KB array of 30 000 numbers where strings belong is 30 000 errors).
    /// </summary>
    public static IResult Validation(IDictionary<string, string[]> errors, string title)
    {
        if (errors.Count <= RequestJson.MaxErrors)
        {
            return new Result(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Title = title });
        }

        var first = errors.Take(RequestJson.MaxErrors).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        return new Result(new HttpValidationProblemDetails(first)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = title,
            Detail = $"The first {RequestJson.MaxErrors} of {errors.Count} problems are listed.",
        });
    }

    internal sealed class Result(ProblemDetails problem) : IResult, IStatusCodeHttpResult, IValueHttpResult, IContentTypeHttpResult
    {
        public ProblemDetails ProblemDetails { get; } = problem;

        public int? StatusCode => ProblemDetails.Status;

        object? IValueHttpResult.Value => ProblemDetails;

        public string ContentType => "application/problem+json";

        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            ProblemDetails.Type ??= TypeOf(ProblemDetails.Status ?? StatusCodes.Status500InternalServerError);
            ProblemDetails.Extensions.TryAdd("traceId", Activity.Current?.Id ?? httpContext.TraceIdentifier);

            var response = httpContext.Response;
            response.StatusCode = ProblemDetails.Status ?? StatusCodes.Status500InternalServerError;
            response.ContentType = ContentType;
            return ProblemDetails is HttpValidationProblemDetails validation
                ? JsonSerializer.SerializeAsync(
                    response.Body,
                    validation,
                    AnalyticsJsonContext.Default.HttpValidationProblemDetails,
                    httpContext.RequestAborted)
                : JsonSerializer.SerializeAsync(
                    response.Body,
                    ProblemDetails,
                    AnalyticsJsonContext.Default.ProblemDetails,
                    httpContext.RequestAborted);
        }
    }

    /// <summary>The RFC 9110 section of a status, as ASP.NET Core's own problem details link it.</summary>
    private static string? TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        406 => "https://tools.ietf.org/html/rfc9110#section-15.5.7",
        408 => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        412 => "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc4918#section-11.2",
        426 => "https://tools.ietf.org/html/rfc9110#section-15.5.22",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        501 => "https://tools.ietf.org/html/rfc9110#section-15.6.2",
        502 => "https://tools.ietf.org/html/rfc9110#section-15.6.3",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        504 => "https://tools.ietf.org/html/rfc9110#section-15.6.5",
        _ => null,
    };
}
