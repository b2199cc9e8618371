using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Analytics.AspNetCore.Endpoints;

/// <summary><c>GET {prefix}/api/errors/{fingerprint}</c> and <c>POST …/resolve</c>: one error group, its occurrences, resolving it.</summary>
internal static class ErrorsApi
{
    public static async Task<IResult> Get(HttpContext context, IAnalyticsQueries queries)
    {
        int? limit = null;
        if (context.Request.Query["limit"].ToString() is { Length: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return AnalyticsApi.BadRequest(new Dictionary<string, string[]> { ["limit"] = ["Limit must be a whole number from 1 to 1000."] });
            }

            limit = parsed;
        }

        return await Answer(context, ct => queries.GetErrorAsync(Fingerprint(context), limit, ct)).ConfigureAwait(false);
    }

    public static Task<IResult> Resolve(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, ct => queries.ResolveErrorAsync(Fingerprint(context), ct));

    private static async Task<IResult> Answer(HttpContext context, Func<CancellationToken, Task<ErrorDetail?>> ask)
    {
        try
        {
            var detail = await ask(context.RequestAborted).ConfigureAwait(false);
            return detail is null
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"There is no error group '{Fingerprint(context)}'.")
                : TypedResults.Json(detail, AnalyticsJsonContext.Default.ErrorDetail);
        }
        catch (ArgumentException ex)
        {
            return AnalyticsApi.BadRequest(ex);
        }
    }

    private static string Fingerprint(HttpContext context) => context.Request.RouteValues["fingerprint"] as string ?? string.Empty;
}
