using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints.Dashboard;

/// <summary>
/// <c>GET {prefix}/api/endpoints</c>: each of the app's endpoints with the policies its metadata names, the route it is
/// recorded under, and when it was last hit.
/// </summary>
public sealed class EndpointCatalogTests
{
    [Fact]
    public async Task EachEndpointNamesItsAuthorizationRateLimitingAndOutputCachePolicies()
    {
        await using var host = await StartAsync();

        var endpoints = await CatalogAsync(host);

        Assert.Equal(new Policies(["admin"], false, null, null), Policies.Of(endpoints["GET /admin"]));
        Assert.Equal(new Policies(["(default)"], false, null, null), Policies.Of(endpoints["GET /signed-in"]));
        Assert.Equal(new Policies(["roles: ops", "schemes: Test"], false, null, null), Policies.Of(endpoints["GET /ops"]));
        Assert.Equal(new Policies([], false, "fixed", null), Policies.Of(endpoints["GET /limited"]));
        Assert.Equal(new Policies([], false, null, "short"), Policies.Of(endpoints["GET /cached"]));
        Assert.Equal(new Policies([], false, null, "(default)"), Policies.Of(endpoints["GET /cached-default"]));
        Assert.Equal(new Policies([], false, "fixed", null), Policies.Of(endpoints["GET /group/limited"]));
        Assert.Equal(new Policies([], false, null, null), Policies.Of(endpoints["GET /group/unlimited"])); // DisableRateLimiting wins
        Assert.Equal(new Policies([], true, null, null), Policies.Of(endpoints["GET /public"])); // AllowAnonymous wins over "admin"
        Assert.Equal(new Policies([], false, null, null), Policies.Of(endpoints["GET /plain"]));

        // An MVC controller's attributes, the controller's and the action's together.
        Assert.Equal(new Policies(["admin"], false, "fixed", "short"), Policies.Of(endpoints["GET /api/reports/{id:int}"]));
        Assert.Equal(new Policies([], true, null, null), Policies.Of(endpoints["POST /api/reports"]));

        // The existing fields stay, and the recorded route is the key api/routes uses (no leading slash for MVC).
        var report = endpoints["GET /api/reports/{id:int}"];
        Assert.Equal(["id"], report.GetProperty("parameters").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("api/reports/{id:int}", report.GetProperty("recordedRoute").GetString());
        Assert.Equal("/admin", endpoints["GET /admin"].GetProperty("recordedRoute").GetString());
        Assert.DoesNotContain(endpoints.Keys, k => k.Contains("/analytics", StringComparison.Ordinal));

        // A path under ExcludePaths (/health by default) is never recorded, which its lastSeen cannot say by itself.
        Assert.False(endpoints["GET /health/{probe}"].GetProperty("recorded").GetBoolean());
        Assert.All(endpoints.Where(e => e.Key != "GET /health/{probe}"), e => Assert.True(e.Value.GetProperty("recorded").GetBoolean(), e.Key));
    }

    [Fact]
    public async Task WithoutAnyRequestNoEndpointWasEverSeen()
    {
        await using var host = await StartAsync();
        await host.Pipeline.FlushAsync();

        var endpoints = await CatalogAsync(host);

        Assert.Equal(13, endpoints.Count);
        Assert.All(endpoints.Values, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("lastSeen").ValueKind));
    }

    [Fact]
    public async Task AHitRouteHasALastSeenBetweenItsRequestAndNowAndTheOthersHaveNone()
    {
        await using var host = await StartAsync();
        var before = DateTimeOffset.UtcNow;
        (await host.Client.GetAsync("/plain")).Dispose();
        (await host.Client.PostAsync("/api/reports", null)).Dispose(); // an MVC action: recorded without the leading slash
        (await host.Client.GetAsync("/admin")).Dispose(); // refused (401) is a request all the same
        (await host.Client.GetAsync("/analytics/api/overview")).Dispose(); // the analytics group is never recorded
        await host.Pipeline.FlushAsync();

        var endpoints = await CatalogAsync(host);
        var after = DateTimeOffset.UtcNow;

        string[] hit = ["GET /plain", "POST /api/reports", "GET /admin"];
        foreach (var key in hit)
        {
            var lastSeen = endpoints[key].GetProperty("lastSeen").GetDateTimeOffset();
            Assert.InRange(lastSeen, before, after);
        }

        Assert.All(
            endpoints.Where(e => !hit.Contains(e.Key)),
            e => Assert.True(e.Value.GetProperty("lastSeen").ValueKind == JsonValueKind.Null, $"{e.Key} was never hit"));
    }

    private static async Task<Dictionary<string, JsonElement>> CatalogAsync(AnalyticsTestHost host)
    {
        var catalog = await host.GetJsonAsync("/analytics/api/endpoints");
        return catalog.GetProperty("endpoints").EnumerateArray()
            .ToDictionary(e => $"{e.GetProperty("method").GetString()} {e.GetProperty("route").GetString()}");
    }

    private static Task<AnalyticsTestHost> StartAsync() => AnalyticsTestHost.StartAsync(
        app =>
        {
            app.MapGet("/admin", () => "admin").RequireAuthorization("admin");
            app.MapGet("/signed-in", [Authorize] () => "you");
            app.MapGet("/ops", [Authorize(Roles = "ops", AuthenticationSchemes = "Test")] () => "ops");
            app.MapGet("/limited", () => "limited").RequireRateLimiting("fixed");
            app.MapGet("/cached", () => "cached").CacheOutput("short");
            app.MapGet("/cached-default", () => "cached").CacheOutput();
            var group = app.MapGroup("/group").RequireRateLimiting("fixed");
            group.MapGet("/limited", () => "limited");
            group.MapGet("/unlimited", () => "unlimited").DisableRateLimiting();
            app.MapGet("/public", () => "public").RequireAuthorization("admin").AllowAnonymous();
            app.MapGet("/plain", () => "plain");
            app.MapGet("/health/{probe}", (string probe) => probe);
            app.MapControllers();
            app.MapRequestAnalytics("/analytics");
        },
        configureBuilder: builder =>
        {
            builder.Services.AddAuthentication("Test").AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, NobodyHandler>("Test", null);
            builder.Services.AddAuthorization(o => o.AddPolicy("admin", p => p.RequireClaim("role", "admin")));
            builder.Services.AddRateLimiter(o => o.AddFixedWindowLimiter("fixed", w => { w.PermitLimit = 100; w.Window = TimeSpan.FromMinutes(1); }));
            builder.Services.AddOutputCache(o => o.AddPolicy("short", b => b.Expire(TimeSpan.FromSeconds(5))));
            builder.Services.AddControllers().ConfigureApplicationPartManager(parts => parts.FeatureProviders.Add(new OnlyReports()));
        },
        afterAnalytics: app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.UseRateLimiter();
            app.UseOutputCache();
        });

    private sealed record Policies(string[] Authorization, bool AllowAnonymous, string? RateLimiting, string? OutputCache)
    {
        public static Policies Of(JsonElement endpoint) => new(
            [.. endpoint.GetProperty("authorizationPolicies").EnumerateArray().Select(p => p.GetString()!)],
            endpoint.GetProperty("allowAnonymous").GetBoolean(),
            endpoint.GetProperty("rateLimitingPolicy").GetString(),
            endpoint.GetProperty("outputCachePolicy").GetString());

        public bool Equals(Policies? other) =>
            other is not null && Authorization.SequenceEqual(other.Authorization) && AllowAnonymous == other.AllowAnonymous
            && RateLimiting == other.RateLimiting && OutputCache == other.OutputCache;

        public override int GetHashCode() => HashCode.Combine(Authorization.Length, AllowAnonymous, RateLimiting, OutputCache);

        public override string ToString() =>
            $"[{string.Join(", ", Authorization)}] anonymous={AllowAnonymous} rate={RateLimiting ?? "null"} cache={OutputCache ?? "null"}";
    }

    /// <summary>Only <see cref="ReportsController"/>: internal, so the other tests' MapControllers never find it.</summary>
    private sealed class OnlyReports : IApplicationFeatureProvider<ControllerFeature>
    {
        public void PopulateFeature(IEnumerable<ApplicationPart> parts, ControllerFeature feature)
        {
            feature.Controllers.Clear();
            feature.Controllers.Add(typeof(ReportsController).GetTypeInfo());
        }
    }

    /// <summary>Signs nobody in: every request is anonymous, so a policy answers 401.</summary>
    private sealed class NobodyHandler(
        Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions> options,
        Microsoft.Extensions.Logging.ILoggerFactory logger,
        System.Text.Encodings.Web.UrlEncoder encoder)
        : Microsoft.AspNetCore.Authentication.AuthenticationHandler<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<Microsoft.AspNetCore.Authentication.AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Microsoft.AspNetCore.Authentication.AuthenticateResult.NoResult());
    }
}

[ApiController]
[Route("api/reports")]
[Authorize(Policy = "admin")]
internal sealed class ReportsController : ControllerBase
{
    [HttpGet("{id:int}")]
    [EnableRateLimiting("fixed")]
    [OutputCache(PolicyName = "short")]
    public IActionResult Get(int id) => Ok(id);

    [HttpPost]
    [AllowAnonymous]
    [DisableRateLimiting]
    public IActionResult Post() => Ok();
}
