using Microsoft.AspNetCore.Http;

namespace Analytics.AspNetCore.Endpoints;

/// <summary><c>GET {prefix}/api/errors/{fingerprint}</c> and <c>POST …/resolve</c>: one error group, its occurrences, resolving it.</summary>
internal static class ErrorsApi
{
    public static async Task<IResult> Get(HttpContext context, IAnalyticsQueries queries)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        int? limit = QueryParameters.Limit(context.Request.Query, errors);
        if (errors.Count > 0)
        {
            return AnalyticsApi.BadRequest(errors);
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
                ? AnalyticsProblem.Problem(statusCode: StatusCodes.Status404NotFound, title: $"There is no error group '{Fingerprint(context)}'.")
                : TypedResults.Json(detail, AnalyticsJsonContext.Default.ErrorDetail);
        }
        catch (ArgumentException ex)
        {
            return AnalyticsApi.BadRequest(ex);
        }
    }

    private static string Fingerprint(HttpContext context) => context.Request.RouteValues["fingerprint"] as string ?? string.Empty;
}
