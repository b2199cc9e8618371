// The demo host: a small API with the shapes analytics has to handle (path parameters, a route that throws, a slow
// one, 404s, a constant /ping for overhead measurements, a Server-Sent Events stream) and a traffic generator that
// exercises it. With analytics on, the demo also tracks custom events in-process (deployments, builds, sign-ups, job
// runs: DemoEventGenerator) and posts others over HTTP with an ingest key, as another service would (DemoEventFeeder).
//
//   dotnet run --project samples/Analytics.Sample                      # analytics on, demo traffic on
//   dotnet run --project samples/Analytics.Sample -- --no-demo-traffic # analytics on, only your own requests
//   dotnet run --project samples/Analytics.Sample -- --no-analytics    # the same app without the library (load baselines)
//   dotnet run --project samples/Analytics.Sample -- --postgres "Host=…" --urls http://127.0.0.1:5081 --RequestAnalytics:InstanceName=web-2
//                                                                      # a PostgreSQL store shared with other instances
//   dotnet run --project samples/Analytics.Sample -- --RequestAnalytics:Release=demo-1.5.0
//                                                                      # run as a second release (appsettings.json says demo-1.4.0)
//                                                                      # on the same database, to compare the two
//   dotnet run --project samples/Analytics.Sample -- --Sample:HealthCheckPeriod=00:00:01 --Sample:FlappingCheckCycle=6
//                                                                      # health checks reported every second, the flapping
//                                                                      # one down for 3 reports in every 6 (the browser tests)
using Analytics;
using Analytics.Sample;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

var analytics = !args.Contains("--no-analytics");
var demoTraffic = !args.Contains("--no-demo-traffic");
var postgres = args.SkipWhile(a => a != "--postgres").Skip(1).FirstOrDefault();
var builder = WebApplication.CreateBuilder(args.Where((a, i) => a is not ("--no-analytics" or "--no-demo-traffic" or "--postgres") && (i == 0 || args[i - 1] != "--postgres")).ToArray());
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

// "default" leaves the choice to the library (its default location, logged at start); benchmarks/load.sh measures it.
var databaseSetting = builder.Configuration["Sample:Database"] ?? "analytics.db";
var databasePath = databaseSetting == "default" ? null : Path.Combine(builder.Environment.ContentRootPath, databaseSetting);
if (demoTraffic && builder.Configuration["RequestAnalytics:AlertInterval"] is null)
{
    // Alerts evaluated every 10 s instead of 30 s, so that the demo's rolled-back deployment (DemoEventGenerator) fires
    // the "rollbacks" rule of appsettings.json about a minute into a first run.
    builder.Configuration["RequestAnalytics:AlertInterval"] = "00:00:10";
}

if (demoTraffic && builder.Configuration["RequestAnalytics:ConsumerHeader"] is null)
{
    // Who calls: the demo's traffic generator sends web-frontend, mobile-app or partner-acme in this header. Set for demo
    // runs only, so that benchmarks/load.sh (--no-demo-traffic) measures consumers only in the modes that ask for them.
    builder.Configuration["RequestAnalytics:ConsumerHeader"] = "X-Client-Id";
}

// The checks the uptime panel shows (one flaps now and then); demo runs report every 5 s instead of every 30 s.
var health = builder.Services.AddHealthChecks().AddSampleChecks(builder.Configuration, demoTraffic);
builder.Services.AddSampleAccess();
if (analytics)
{
    var analyticsBuilder = builder.Services.AddRequestAnalytics();
    if (postgres is null && databasePath is not null)
    {
        analyticsBuilder.UseSqlite(databasePath);
    }
    else if (postgres is not null)
    {
        analyticsBuilder.UsePostgreSql(postgres);
    }

    health.AddRequestAnalyticsCheck();
}

if (demoTraffic)
{
    builder.Services.TryAddSingleton(TimeProvider.System); // the library registers it too, but --no-analytics leaves it out
    builder.Services.AddHostedService<DemoTrafficGenerator>();
    if (analytics)
    {
        builder.Services.AddHostedService<DemoEventGenerator>();
        builder.Services.AddHostedService<DemoEventFeeder>();
    }
}

var app = builder.Build();
if (demoTraffic)
{
    app.UseDemoIdentity();
}

if (analytics)
{
    app.UseRequestAnalytics();
}

app.UseSampleAccess();
app.MapSampleApi();
app.MapSampleAccess();
app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = check => !check.Tags.Contains(SampleHealthChecks.DemoTag) });
if (analytics)
{
    // Loopback only by default; a real app would chain .RequireAuthorization("admin") here.
    app.MapRequestAnalytics(DemoServer.AnalyticsPrefix);
}

app.Lifetime.ApplicationStarted.Register(() =>
{
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
    Console.WriteLine();
    Console.WriteLine($"Analytics sample listening on {address}");
    Console.WriteLine(!analytics ? "  Request analytics: off (--no-analytics)"
        : postgres is null ? $"  Request analytics database: {databasePath ?? "the library's default location (logged above)"}"
        : $"  Request analytics database: PostgreSQL, schema 'analytics' ({new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Password = null }})");
    Console.WriteLine(demoTraffic ? "  Demo traffic: on (--no-demo-traffic turns it off)" : "  Demo traffic: off");
    if (analytics)
    {
        Console.WriteLine($"  Dashboard: {address}/analytics/");
        Console.WriteLine($"  Analytics API: {address}/analytics/api/overview  (also timeseries, routes, status-codes, errors, heatmap, requests, export)");
        Console.WriteLine($"  Custom events: {address}/analytics/api/events"
            + "  (POST them with a key of RequestAnalytics:IngestKeys or NamedIngestKeys in X-Analytics-Key)");
        if (demoTraffic)
        {
            Console.WriteLine(
                "    demo: deployments, builds, sign-ups and job runs tracked in-process; a billing feeder POSTs payments with the demo key");
        }

        var options = app.Services.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value;
        var consumerHeader = options.ConsumerHeader ?? "none: set RequestAnalytics:ConsumerHeader";
        Console.WriteLine($"  Consumers (header {consumerHeader}): {address}/analytics/api/consumers"
            + (demoTraffic ? "  (demo: web-frontend, mobile-app, partner-acme, and billing-service by its ingest key)" : ""));
        Console.WriteLine($"  Release: {options.Release ?? "the app's version"}: {address}/analytics/api/releases"
            + "  (--RequestAnalytics:Release=demo-1.5.0 runs as another; compare=previous-release compares them)");
        Console.WriteLine($"  Live stream (SSE): {address}/analytics/api/stream");
        Console.WriteLine($"  Prometheus metrics: {address}/analytics/metrics");
        Console.WriteLine($"  Alert rules (declared in appsettings.json): {address}/analytics/api/alerts  and webhooks: {address}/analytics/api/webhooks");
        Console.WriteLine($"  Service levels (RequestAnalytics:Slos in appsettings.json): {address}/analytics/api/slos"
            + "  (availability of every route, latency of order lookups; Apdex on overview and routes)");
        Console.WriteLine($"  Uptime of the health checks: {address}/analytics/api/uptime"
            + (demoTraffic ? "  (demo: inventory-service goes down for 15 s every 2 minutes)" : ""));
    }

    Console.WriteLine($"  Try: {address}/items/42  {address}/flaky  {address}/slow  {address}/quotes/live  {address}/health");
    Console.WriteLine("  Press Ctrl+C to stop.");
    Console.WriteLine();
});

app.Run();

/// <summary>Lets integration tests start the sample through WebApplicationFactory-style hosting.</summary>
public partial class Program;
