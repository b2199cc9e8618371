using System.Text.Json.Serialization;
using ConsumerMatrix;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));
builder.Services.AddRequestAnalytics(o => o.ExcludePaths.Add("/matrix"));

var app = builder.Build();
app.UseRequestAnalytics();
app.MapGet("/todos/{id:int}", (int id) => new Todo(id, "compiled ahead of time"));
app.MapRequestAnalytics("/analytics");

app.MapMatrix(async run =>
{
    (await run.Client.GetAsync("/todos/1")).EnsureSuccessStatusCode();
    (await run.Client.GetAsync("/todos/2")).EnsureSuccessStatusCode();
    using var bad = await run.Client.GetAsync("/analytics/api/overview?range=2h");
    using var overview = await run.Client.GetAsync("/analytics/api/overview?range=1h");

    var rows = await run.RecordedAsync();
    run.Equal("requests recorded under Native AOT", 2, rows.Count(r => r.Route == "/todos/{id:int}"));
    run.Equal("a bad query answers 400", 400, (int)bad.StatusCode);
    run.Equal("as problem details", "application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    run.Equal("the overview answers 200", 200, (int)overview.StatusCode);
    run.Check("with its JSON", (await overview.Content.ReadAsStringAsync()).Contains("\"totalRequests\"", StringComparison.Ordinal), "");
});
app.Run();

internal sealed record Todo(int Id, string Title);

[JsonSerializable(typeof(Todo))]
internal sealed partial class AppJsonContext : JsonSerializerContext;
