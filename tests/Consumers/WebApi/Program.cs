using System.Net;
using System.Net.Http.Json;
using ConsumerMatrix;
using Microsoft.Extensions.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddOpenApi();
builder.Services.AddHealthChecks().AddRequestAnalyticsCheck();
builder.Services.AddRequestAnalytics(o => o.ExcludePaths.Add("/matrix"));

var app = builder.Build();
app.UseRequestAnalytics();
app.MapOpenApi();
app.MapHealthChecks("/health");
app.MapGet("/todos/{id:int}", (int id) => id == 0 ? Results.NotFound() : Results.Ok(new Todo(id, "write tests")));
app.MapPost("/todos", (Todo todo) => Results.Created($"/todos/{todo.Id}", todo));
app.MapRequestAnalytics("/analytics");
app.MapFallbackToFile("index.html");

app.MapMatrix(async run =>
{
    for (var i = 1; i <= 3; i++)
    {
        (await run.Client.GetAsync($"/todos/{i}")).EnsureSuccessStatusCode();
    }

    await run.Client.GetAsync("/todos/0");
    using var posted = await run.Client.PostAsJsonAsync("/todos", new Todo(9, "chunked: JsonContent sends no Content-Length"));
    var spa = await run.Client.GetStringAsync("/orders/42");
    using var health = await run.Client.GetAsync("/health");
    var document = await run.Client.GetStringAsync("/openapi/v1.json");

    var rows = await run.RecordedAsync();
    run.Equal("minimal API routes", 4, rows.Count(r => r.Route == "/todos/{id:int}"));
    run.Equal("404 recorded as 404", 1, rows.Count(r => r.Route == "/todos/{id:int}" && r.StatusCode == 404));
    var post = rows.Single(r => r.Method == "POST");
    run.Check("chunked JSON body counted (bytesIn)", post.RequestBytes > 20, $"bytesIn {post.RequestBytes}");
    run.Check("SPA fallback served", spa.Contains("spa", StringComparison.Ordinal), spa);
    var fallback = rows.SingleOrDefault(r => r.Path == "/orders/42");
    run.Check("SPA fallback keeps the client's path", fallback is not null, string.Join(", ", rows.Select(r => r.Path)));
    run.Equal("health probe answers 200", HttpStatusCode.OK, health.StatusCode);
    run.Check("OpenAPI document lists the analytics group", document.Contains("/analytics/api/overview", StringComparison.Ordinal), $"{document.Length} characters");
    run.Check("health probe not recorded (ExcludePaths)", rows.All(r => r.Path != "/health"), "");
});
app.Run();

internal sealed record Todo(int Id, string Title);
