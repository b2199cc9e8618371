using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Tests;

/// <summary>
/// An app with a few routes and the analytics group. The test headers stand in for what a real deployment has:
/// <c>X-Test-Remote</c> for the client address ForwardedHeaders would set, <c>X-Test-User</c> for a signed-in user.
/// </summary>
internal static class EndpointTestApp
{
    public const string RemoteHeader = "X-Test-Remote";
    public const string UserHeader = "X-Test-User";

    public static Task<AnalyticsTestHost> StartAsync(
        Action<RequestAnalyticsOptions>? configure = null,
        Action<RouteGroupBuilder>? configureGroup = null,
        bool withAuthentication = false,
        Action<WebApplicationBuilder>? configureBuilder = null,
        string? databasePath = null) =>
        AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet("/items/{id:int}", (int id) => Results.Ok(new { id }));
                app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
                app.MapGet("/fail", string () => throw new InvalidOperationException("boom"));
                var group = app.MapRequestAnalytics("/analytics");
                configureGroup?.Invoke(group);
            },
            configure,
            configureBuilder: builder =>
            {
                if (withAuthentication)
                {
                    builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>("Test", null);
                    builder.Services.AddAuthorization();
                }

                configureBuilder?.Invoke(builder);
            },
            beforeAnalytics: app =>
            {
                app.Use((context, next) =>
                {
                    if (context.Request.Headers.TryGetValue(RemoteHeader, out var remote))
                    {
                        context.Connection.RemoteIpAddress = IPAddress.Parse(remote.ToString());
                    }

                    return next(context);
                });
                if (withAuthentication)
                {
                    app.UseAuthentication();
                    app.UseAuthorization();
                }
            },
            databasePath: databasePath);

    private sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(UserHeader, out var user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim("sub", user.ToString())], "Test");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "Test")));
        }
    }
}
