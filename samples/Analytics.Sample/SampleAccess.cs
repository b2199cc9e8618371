using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Analytics.Sample;

/// <summary>
/// Endpoints behind the app's own policies, for the dashboard's "Access and limits" panel: an admin-only report
/// (401 anonymous, 403 without the admin role), a signed-in page, a rate-limited search (429 past 5 calls in 10 s), an
/// output-cached catalogue, and a legacy export that nothing calls (a route never hit).
/// </summary>
/// <remarks>
/// Demo only: a loopback request carrying <c>X-Demo-User</c> is signed in as that user, with the roles listed in
/// <c>X-Demo-Role</c>. A real app signs users in with its own authentication.
/// </remarks>
internal static class SampleAccess
{
    public const string RoleHeader = "X-Demo-Role";
    private const string SchemeName = "Demo";

    public static IServiceCollection AddSampleAccess(this IServiceCollection services)
    {
        services.AddAuthentication(SchemeName).AddScheme<AuthenticationSchemeOptions, DemoAuthenticationHandler>(SchemeName, null);
        services.AddAuthorization(o => o.AddPolicy("admin", p => p.RequireRole("admin")));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddFixedWindowLimiter("search", w => { w.PermitLimit = 5; w.Window = TimeSpan.FromSeconds(10); w.QueueLimit = 0; });
        });
        services.AddOutputCache(o => o.AddPolicy("short", b => b.Expire(TimeSpan.FromSeconds(10))));
        return services;
    }

    /// <summary>After <c>UseRequestAnalytics</c>, so that the refusals these make are recorded like any response.</summary>
    public static WebApplication UseSampleAccess(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseOutputCache();
        return app;
    }

    public static void MapSampleAccess(this WebApplication app)
    {
        app.MapGet("/admin/reports", (ClaimsPrincipal user) => Results.Ok(new { report = "sales", by = user.FindFirstValue("sub") }))
            .RequireAuthorization("admin");
        app.MapGet("/account", (ClaimsPrincipal user) => Results.Ok(new { user = user.FindFirstValue("sub") }))
            .RequireAuthorization();
        app.MapGet("/search", (string? q) => Results.Ok(new { q, hits = (q?.Length ?? 0) * 3 }))
            .RequireRateLimiting("search");
        app.MapGet("/catalog", () => Results.Ok(new { items = 1000, at = DateTimeOffset.UtcNow }))
            .CacheOutput("short");
        app.MapGet("/legacy/export", () => Results.Text("id,name\n"))
            .RequireAuthorization("admin");
    }

    private sealed class DemoAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote)
                || Request.Headers[DemoIdentity.UserHeader].ToString() is not { Length: > 0 } user)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new("sub", user) };
            foreach (var role in Request.Headers[RoleHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                claims.Add(new Claim(ClaimTypes.Role, role));
            }

            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
