using System.Net;
using System.Security.Claims;

namespace Analytics.Sample;

/// <summary>
/// Demo only: lets the traffic generator act as many users on many client addresses, so the dashboard's unique-user
/// counts have something to show. A loopback request carrying <c>X-Demo-User</c> is signed in as that user and
/// <c>X-Demo-Client</c> replaces its client address. A real app signs users in with its own authentication and, behind a
/// proxy, takes client addresses from <c>UseForwardedHeaders</c>.
/// </summary>
internal static class DemoIdentity
{
    public const string UserHeader = "X-Demo-User";
    public const string ClientHeader = "X-Demo-Client";

    public static IApplicationBuilder UseDemoIdentity(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote))
        {
            if (context.Request.Headers[UserHeader].ToString() is { Length: > 0 } user)
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", user)], "Demo"));
            }

            if (IPAddress.TryParse(context.Request.Headers[ClientHeader].ToString(), out var client))
            {
                context.Connection.RemoteIpAddress = client;
            }
        }

        return next(context);
    });
}
