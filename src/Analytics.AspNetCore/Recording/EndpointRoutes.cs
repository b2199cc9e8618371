using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.StaticAssets;

namespace Analytics.AspNetCore;

/// <summary>
/// The route a request is grouped under, worked out once per endpoint: the grouping key must stay bounded however many
/// files or actions the app has, and still say which part of the app answered.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A route endpoint: its template (<c>RoutePattern.RawText</c>).</item>
/// <item>A conventional MVC route (<c>{controller=Home}/{action=Index}/{id?}</c>) is one template for every action; each
/// action's endpoint carries its controller and action as required values, which are written into the template:
/// <c>Home/Details/{id?}</c>.</item>
/// <item>A static asset of <c>MapStaticAssets</c> (one endpoint per file, fingerprinted copies included) and a file the
/// static-files middleware sent: one row per top-level folder, <c>(static) /css/*</c>, and <c>(static) /*</c> for the
/// web root's own files.</item>
/// </list>
/// </remarks>
internal static class EndpointRoutes
{
    internal const string StaticPrefix = "(static) ";

    private static readonly ConditionalWeakTable<Endpoint, EndpointRoute> Routes = new();
    private static readonly ConditionalWeakTable<Endpoint, EndpointRoute>.CreateValueCallback Create = static e => new EndpointRoute(e, NameOf(e));

    /// <summary>Gets the endpoint's route, computed on its first request.</summary>
    public static EndpointRoute Of(Endpoint endpoint) => Routes.GetValue(endpoint, Create);

    /// <summary>The bucket of a file that the static-files middleware sent without an endpoint.</summary>
    public static string StaticFile(PathString path) => Static(path.Value.AsSpan());

    internal static string NameOf(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<StaticAssetDescriptor>() is { } asset)
        {
            return Static(asset.Route.AsSpan());
        }

        return endpoint switch
        {
            RouteEndpoint { RoutePattern: var pattern } => WithRequiredValues(pattern)
                ?? pattern.RawText
                ?? endpoint.DisplayName
                ?? RequestAnalyticsDefaults.UnmatchedRoute,
            _ => endpoint.DisplayName ?? RequestAnalyticsDefaults.UnmatchedRoute,
        };
    }

    private static string Static(ReadOnlySpan<char> path)
    {
        path = path.TrimStart('/');
        var slash = path.IndexOf('/');
        return slash <= 0 ? StaticPrefix + "/*" : string.Concat(StaticPrefix + "/", path[..slash], "/*");
    }

    /// <summary>
    /// The template with each parameter that has a required value (MVC's controller, action, area) written as that
    /// value; null when none has.
    /// </summary>
    internal static string? WithRequiredValues(RoutePattern pattern)
    {
        if (pattern.RequiredValues.Count == 0 || !pattern.Parameters.Any(p => RequiredValue(pattern, p) is not null))
        {
            return null;
        }

        var text = new StringBuilder();
        for (var i = 0; i < pattern.PathSegments.Count; i++)
        {
            if (i > 0)
            {
                text.Append('/');
            }

            foreach (var part in pattern.PathSegments[i].Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        text.Append(literal.Content);
                        break;
                    case RoutePatternSeparatorPart separator:
                        text.Append(separator.Content);
                        break;
                    case RoutePatternParameterPart parameter when RequiredValue(pattern, parameter) is { } value:
                        text.Append(value);
                        break;
                    case RoutePatternParameterPart parameter:
                        AppendParameter(text, parameter);
                        break;
                }
            }
        }

        return text.ToString();
    }

    private static string? RequiredValue(RoutePattern pattern, RoutePatternParameterPart parameter) =>
        pattern.RequiredValues.TryGetValue(parameter.Name, out var value) && value is string { Length: > 0 } text
        && !ReferenceEquals(value, RoutePattern.RequiredValueAny)
            ? text
            : null;

    private static void AppendParameter(StringBuilder text, RoutePatternParameterPart parameter)
    {
        text.Append('{');
        if (parameter.IsCatchAll)
        {
            text.Append(parameter.EncodeSlashes ? "*" : "**");
        }

        text.Append(parameter.Name);
        foreach (var policy in parameter.ParameterPolicies)
        {
            text.Append(':').Append(policy.Content);
        }

        if (parameter.Default is { } value)
        {
            text.Append('=').Append(value);
        }

        if (parameter.IsOptional)
        {
            text.Append('?');
        }

        text.Append('}');
    }
}
