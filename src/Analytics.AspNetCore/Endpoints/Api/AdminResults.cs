using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>What the webhook and alert APIs answer alike: pages, created resources, and a store that keeps neither.</summary>
internal static class AdminResults
{
    /// <summary>How many entries a page of the deliveries log or the alert history holds unless <c>limit</c> says otherwise.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Reads <c>limit</c> and <c>before</c> of a page of the deliveries log or the alert history.</summary>
    public static bool TryParsePage(HttpRequest request, out int limit, out long? before, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        limit = DefaultPageSize;
        before = null;
        var limitText = request.Query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            errors["limit"] = ["must be a whole number from 1 to 1000."];
        }

        var beforeText = request.Query["before"].ToString();
        if (beforeText.Length > 0)
        {
            if (long.TryParse(beforeText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            {
                before = value;
            }
            else
            {
                errors["before"] = ["must be the positive 'next' of a previous page."];
            }
        }

        return errors.Count == 0;
    }

    /// <summary>Adds the <c>Location</c> of a created resource: the request's path and the new id.</summary>
    public static IResult WithLocation(HttpContext context, IResult result, string id)
    {
        context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path.Value?.TrimEnd('/')}/{Uri.EscapeDataString(id)}";
        return result;
    }

    /// <summary>The 501 of a store without webhooks or alerts.</summary>
    public static IResult NotSupported() => AnalyticsProblem.Problem(
        statusCode: StatusCodes.Status501NotImplemented,
        title: "The analytics store in use keeps no webhooks or alerts; the SQLite and PostgreSQL stores do.");
}
