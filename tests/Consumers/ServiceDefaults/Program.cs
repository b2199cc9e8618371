using System.Text.Json;
using ConsumerMatrix;
using Microsoft.Extensions.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);

// What Aspire's ServiceDefaults project writes: health checks with /health and /alive, and resilience on every client.
builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
builder.Services.AddHealthChecks()
    .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"])
    .AddRequestAnalyticsCheck();
builder.Services.AddRequestAnalytics(o =>
{
    o.ExcludePaths.Add("/matrix");
    o.ExcludePaths.Add("/hook");
    o.Webhooks.AllowPrivateNetworks = true; // the receiver is this app, on loopback
});

var receiver = new Receiver();
var app = builder.Build();
app.UseRequestAnalytics();
app.MapHealthChecks("/health");
app.MapHealthChecks("/alive", new() { Predicate = r => r.Tags.Contains("live") });

// The receiver refuses the first attempt with 503 and Retry-After, then accepts.
app.MapPost("/hook", () =>
{
    var seen = Interlocked.Increment(ref receiver.Requests);
    if (seen == 1)
    {
        return Results.Text("busy", statusCode: 503).WithRetryAfter(1);
    }

    receiver.Delivered.TrySetResult();
    return Results.Ok();
});
app.MapRequestAnalytics("/analytics");

app.MapMatrix(async run =>
{
    using var created = await run.Client.PostAsJsonAsync("/analytics/api/webhooks", new { url = new Uri(run.Client.BaseAddress!, "/hook").ToString(), eventTypes = new[] { "webhook.test" } });
    created.EnsureSuccessStatusCode();
    var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
    (await run.Client.PostAsJsonAsync($"/analytics/api/webhooks/{id}/test", new { })).EnsureSuccessStatusCode();

    await receiver.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(45));
    JsonElement attempts = default;
    for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(50))
    {
        attempts = JsonDocument.Parse(await run.Client.GetStringAsync($"/analytics/api/webhooks/{id}/deliveries")).RootElement.GetProperty("items");
        if (attempts.EnumerateArray().Any(a => a.TryGetProperty("statusCode", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == 200))
        {
            break;
        }
    }

    var statuses = attempts.EnumerateArray().Select(a => a.TryGetProperty("statusCode", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : 0).ToList();
    run.Check("delivered after a 503", statuses.Contains(200), string.Join(",", statuses));
    run.Equal("the library's client is not wrapped: every request the receiver saw is in the delivery log", receiver.Requests, statuses.Count);
    using var alive = await run.Client.GetAsync("/alive");
    run.Equal("/alive answers 200", System.Net.HttpStatusCode.OK, alive.StatusCode);
});
app.Run();

internal sealed class Receiver
{
    public int Requests;

    public TaskCompletionSource Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal static class ResultExtensions
{
    public static IResult WithRetryAfter(this IResult result, int seconds) => new RetryAfter(result, seconds);

    private sealed class RetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
