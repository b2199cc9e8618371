using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>The read endpoints of DESIGN §5: parse the query string, ask <see cref="IAnalyticsQueries"/>, write JSON.</summary>
internal static class AnalyticsApi
{
    public static Task<IResult> Overview(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetOverviewAsync(query, ct), AnalyticsJsonContext.Default.AnalyticsOverview);

    public static Task<IResult> TimeSeries(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetTimeSeriesAsync(query, ct), AnalyticsJsonContext.Default.TimeSeries);

    public static Task<IResult> Routes(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetRoutesAsync(query, ct), AnalyticsJsonContext.Default.IReadOnlyListRouteStats);

    public static Task<IResult> Consumers(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetConsumersAsync(query, ct), AnalyticsJsonContext.Default.IReadOnlyListConsumerStats);

    public static Task<IResult> Releases(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetReleasesAsync(query, ct), AnalyticsJsonContext.Default.IReadOnlyListReleaseStats);

    /// <summary>Every declared objective over its own window ending now; the range is ignored, the other filters apply.</summary>
    public static Task<IResult> Slos(HttpContext context, IAnalyticsQueries queries) =>
        Answer(
            context,
            queries,
            static async (q, query, ct) => (IReadOnlyList<SloView>)[.. (await q.GetSlosAsync(query, ct).ConfigureAwait(false)).Select(SloView.From)],
            AnalyticsJsonContext.Default.IReadOnlyListSloView);

    public static Task<IResult> StatusCodes(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetStatusCodesAsync(query, ct),
            AnalyticsJsonContext.Default.IReadOnlyListStatusCodeCount);

    public static Task<IResult> Errors(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetErrorsAsync(query, ct), AnalyticsJsonContext.Default.IReadOnlyListErrorGroup);

    public static Task<IResult> HealthMetrics(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetHealthMetricsAsync(query, ct), AnalyticsJsonContext.Default.HealthMetrics);

    public static Task<IResult> Uptime(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetUptimeAsync(query, ct), AnalyticsJsonContext.Default.IReadOnlyListUptimeCheck);

    public static Task<IResult> Heatmap(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetHeatmapAsync(query, ct), AnalyticsJsonContext.Default.Heatmap);

    public static Task<IResult> Requests(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetRequestsAsync(query, ct), AnalyticsJsonContext.Default.RequestPage);

    public static Task<IResult> Events(HttpContext context, IAnalyticsQueries queries) =>
        Answer(context, queries, static (q, query, ct) => q.GetEventsAsync(query, ct), AnalyticsJsonContext.Default.EventsOverTime);

    /// <summary>A 400 <c>application/problem+json</c> whose <c>errors</c> name each bad parameter.</summary>
    public static IResult BadRequest(IDictionary<string, string[]> errors) =>
        AnalyticsProblem.Validation(errors, "One or more parameters are invalid.");

    private static async Task<IResult> Answer<T>(
        HttpContext context,
        IAnalyticsQueries queries,
        Func<IAnalyticsQueries, AnalyticsQuery, CancellationToken, Task<T>> ask,
        JsonTypeInfo<T> typeInfo)
    {
        var services = context.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var options = services.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value;
        if (!QueryParameters.TryParse(context.Request, now, options, out var query, out var errors))
        {
            return BadRequest(errors);
        }

        try
        {
            var answer = await ask(queries, query, context.RequestAborted).ConfigureAwait(false);
            return TypedResults.Json(answer, typeInfo);
        }
        catch (ArgumentException ex)
        {
            return BadRequest(ex);
        }
    }

    /// <summary>
    /// A 400 for a rule the parser cannot see (too many buckets at a forced granularity, a heatmap by day), which the
    /// query reports naming the property; the message is ours, never user data.
    /// </summary>
    public static IResult BadRequest(ArgumentException error) =>
        BadRequest(new Dictionary<string, string[]> { [QueryParameters.ToParameterName(error.ParamName)] = [MessageOf(error)] });

    /// <summary>
    /// Gets the message of an <see cref="ArgumentException"/> without the " (Parameter 'X')" it appends: the parameter
    /// is already the key.
    /// </summary>
    public static string MessageOf(ArgumentException error)
    {
        var message = error.Message;
        int suffix = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return suffix > 0 ? message[..suffix] : message;
    }
}
