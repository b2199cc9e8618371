using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// The group's security default, like Hangfire's dashboard: only callers on the loopback interface get in, unless the
/// host attached authorization to the group (then the authorization middleware decides) or set
/// <see cref="RequestAnalyticsOptions.AllowRemoteAccess"/>.
/// </summary>
internal sealed class AnalyticsAccessFilter(IOptions<RequestAnalyticsOptions> options) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return IsAllowed(http, options.Value)
            ? next(context)
            : ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Remote access to request analytics is off",
                detail: "Only loopback callers may use these endpoints. Attach authorization to the group (MapRequestAnalytics(...).RequireAuthorization(...)) or set RequestAnalytics:AllowRemoteAccess."));
    }

    internal static bool IsAllowed(HttpContext context, RequestAnalyticsOptions options) =>
        options.AllowRemoteAccess
        || context.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>() is not null
        || IsLoopback(context.Connection.RemoteIpAddress)
        || (context.GetEndpoint()?.Metadata.GetMetadata<IngestEndpointMetadata>() is not null && EventIngestion.HasValidKey(context, options.IngestKeys));

    /// <summary>A connection without an address (a Unix socket behind a proxy, say) is not known to be local, so it is refused.</summary>
    internal static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}

/// <summary>Marks the endpoint that also accepts an <c>X-Analytics-Key</c> ingestion key in place of the group's access rules.</summary>
internal sealed class IngestEndpointMetadata
{
    public static readonly IngestEndpointMetadata Instance = new();
}
