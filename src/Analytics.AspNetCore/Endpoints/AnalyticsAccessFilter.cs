using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// The group's security default, like Hangfire's dashboard: only callers on the loopback interface get in, unless the
/// host attached authorization to the group (then the authorization middleware decides) or set
/// <see cref="RequestAnalyticsOptions.AllowRemoteAccess"/>.
/// </summary>
/// <remarks>
/// <c>POST {prefix}/api/events</c> also takes an <c>X-Analytics-Key</c> ingestion key in place of all of that. So that
/// a key can stand in for the group's authorization, that endpoint is marked <see cref="AllowAnonymousAttribute"/>:
/// the authorization middleware then only authenticates, and this filter evaluates the group's policy (or the host's
/// fallback policy) itself when no valid key came, answering through the host's
/// <see cref="IAuthorizationMiddlewareResultHandler"/> exactly as the middleware would.
/// </remarks>
internal sealed class AnalyticsAccessFilter(IOptions<RequestAnalyticsOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IngestEndpointMetadata>() is not null)
        {
            if (EventIngestion.HasValidKey(http, options.Value, out _))
            {
                return await next(context).ConfigureAwait(false);
            }

            if (await PolicyOf(http, endpoint).ConfigureAwait(false) is { } policy)
            {
                return await AuthorizeAsync(context, next, policy).ConfigureAwait(false);
            }
        }

        return IsAllowed(http, options.Value)
            ? await next(context).ConfigureAwait(false)
            : AnalyticsProblem.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Remote access to request analytics is off",
                detail: "Only loopback callers may use these endpoints. Attach authorization to the group " +
                    "(MapRequestAnalytics(...).RequireAuthorization(...)) or set RequestAnalytics:AllowRemoteAccess.");
    }

    internal static bool IsAllowed(HttpContext context, RequestAnalyticsOptions options) =>
        options.AllowRemoteAccess
        || context.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>() is not null
        || IsLoopback(context.Connection.RemoteIpAddress);

    /// <summary>A connection without an address (a Unix socket behind a proxy, say) is not known to be local, so it is refused.</summary>
    internal static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>The policy the authorization middleware would apply without our <c>AllowAnonymous</c>, or <see langword="null"/>.</summary>
    private static async Task<AuthorizationPolicy?> PolicyOf(HttpContext context, Endpoint endpoint)
    {
        if (context.RequestServices.GetService<IAuthorizationPolicyProvider>() is not { } provider)
        {
            return null; // the host uses no authorization at all
        }

        return await AuthorizationPolicy.CombineAsync(
            provider,
            endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(),
            endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()).ConfigureAwait(false);
    }

    private static async ValueTask<object?> AuthorizeAsync(
        EndpointFilterInvocationContext context,
        EndpointFilterDelegate next,
        AuthorizationPolicy policy)
    {
        var http = context.HttpContext;
        var evaluator = http.RequestServices.GetRequiredService<IPolicyEvaluator>();
        var authentication = await evaluator.AuthenticateAsync(policy, http).ConfigureAwait(false);
        var authorization = await evaluator.AuthorizeAsync(policy, authentication, http, http).ConfigureAwait(false);

        // The host's handler decides what success, a challenge and a forbid look like (401/403, redirects...).
        object? answer = null;
        var reached = false;
        await http.RequestServices.GetRequiredService<IAuthorizationMiddlewareResultHandler>().HandleAsync(
            async _ =>
            {
                reached = true;
                answer = await next(context).ConfigureAwait(false);
            },
            http,
            policy,
            authorization).ConfigureAwait(false);

        return reached ? answer : Results.Empty;
    }
}
